#!/usr/bin/env node
// Independent validator for medgate's JSON Schemas: ajv (JSON Schema 2020-12,
// strict mode, ajv-formats), no gateway code involved.
//
//   node validate.mjs [--expect-invalid] [--expect-errors FILE] SCHEMA DATA...
//
// DATA by name: *.ndjson*/*.jsonl* (one record per line; gzip when it ends in .gz),
// .yaml/.yml (one document; errors point at FILE:LINE:COL), anything else one
// JSON document. Every *.schema.json next to SCHEMA is loaded too, so
// cross-schema $refs resolve.
// Default mode: exit 0 when every record is valid ("N records valid"), 1 when
// any is not (each failure as FILE:LINE: error). --expect-invalid: exit 0 when
// every document is invalid, 1 when one validates; --expect-errors names a
// JSON object {"file name": "text one of its errors must contain"}.
// Exit 2: usage, unreadable file or schema that does not compile.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import zlib from "node:zlib";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { LineCounter, parseDocument, isMap, isPair, isScalar } from "yaml";

const MAX_REPORTED = 20;

function usage(msg) {
  if (msg) console.error(`validate.mjs: ${msg}`);
  console.error("usage: validate.mjs [--expect-invalid] [--expect-errors FILE] SCHEMA DATA...");
  process.exit(2);
}

function makeValidator(schemaPath) {
  const ajv = new Ajv2020({ strict: true, allErrors: true, verbose: true });
  addFormats(ajv);
  const dir = path.dirname(schemaPath);
  const main = path.resolve(schemaPath);
  const others = fs.readdirSync(dir).filter((f) => f.endsWith(".schema.json")).map((f) => path.resolve(dir, f));
  let mainSchema;
  for (const file of new Set([main, ...others])) {
    let schema;
    try {
      schema = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      if (file !== main) continue;  // a broken neighbour is that schema's own problem
      usage(`cannot read schema ${file}: ${e.message}`);
    }
    if (file === main) mainSchema = schema;
    else ajv.addSchema(schema);
  }
  try {
    return ajv.compile(mainSchema);
  } catch (e) {
    console.error(`validate.mjs: schema ${schemaPath} does not compile: ${e.message}`);
    process.exit(2);
  }
}

function describe(err) {
  const name = err.propertyName ?? err.params?.propertyName;
  let s = `${err.instancePath || "/"}`;
  if (name !== undefined && err.keyword !== "propertyNames") s += ` property name '${name}'`;
  s += ` ${err.message}`;
  if (err.keyword === "propertyNames") s += ` ('${name}')`;
  if (err.params?.additionalProperty !== undefined) s += ` '${err.params.additionalProperty}'`;
  if (err.params?.unevaluatedProperty !== undefined) s += ` '${err.params.unevaluatedProperty}'`;
  if (err.params?.allowedValues) s += ` (${err.params.allowedValues.join(", ")})`;
  if (err.params?.allowedValue !== undefined) s += ` (${JSON.stringify(err.params.allowedValue)})`;
  if (err.keyword === "not" && typeof err.schema?.description === "string") s += `: ${err.schema.description}`;
  return s;
}

// The telling errors, most specific first: anyOf/if branches only explain the
// others, and "must be <type>" from an alternative that was not meant (a null
// section, a token list) yields to an error at or below the same place.
function telling(errors) {
  const structural = new Set(["anyOf", "oneOf", "if"]);
  let list = errors.filter((e) => !structural.has(e.keyword));
  list = list.filter((e) => e.keyword !== "type" ||
    !list.some((o) => o !== e && o.keyword !== "type" &&
      (o.instancePath === e.instancePath || o.instancePath.startsWith(e.instancePath + "/"))));
  if (!list.length) list = errors;
  return list.sort((a, b) => b.instancePath.split("/").length - a.instancePath.split("/").length);
}

function summarize(errors) {
  const unique = [...new Set(errors.map(describe))];
  return unique.slice(0, 5).join("; ") + (unique.length > 5 ? `; ... (${unique.length - 5} more)` : "");
}

function recordName(rec) {
  if (rec && typeof rec === "object" && !Array.isArray(rec)) {
    const cut = (v) => (v.length > 64 ? `${v.slice(0, 64)}...` : v);
    if (typeof rec.record_id === "string") return `record_id ${cut(rec.record_id)}: `;
    if (typeof rec.source_record_id === "string") return `source_record_id ${cut(rec.source_record_id)}: `;
  }
  return "";
}

// YAML: map an instance path (/a/b/0/c) to the node's LINE:COL.
function yamlPosition(doc, lineCounter, err) {
  const parts = (err.instancePath || "").split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let node = doc.contents;
  let at = node;
  for (const p of parts) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && String(isScalar(it.key) ? it.key.value : it.key) === p);
      if (!pair) break;
      at = pair.value ?? pair.key;
      node = pair.value;
    } else if (node && Array.isArray(node.items)) {
      node = node.items[Number(p)];
      at = node;
    } else break;
  }
  const extra = err.params?.additionalProperty ?? err.params?.unevaluatedProperty ?? err.propertyName ??
    err.params?.propertyName;
  if (extra !== undefined && isMap(node)) {
    const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === extra);
    if (pair) at = pair.key;
  }
  const offset = at?.range ? at.range[0] : 0;
  const { line, col } = lineCounter.linePos(offset);
  return `${line}:${col}`;
}

async function* documents(file) {
  // NDJSON: *.ndjson, *.jsonl, also with a further suffix (.gz, a file target's .open).
  if (/\.(ndjson|jsonl)(\.|$)/.test(path.basename(file))) {
    let stream = fs.createReadStream(file);
    if (file.endsWith(".gz")) stream = stream.pipe(zlib.createGunzip());
    const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
    let n = 0;
    for await (const line of rl) {
      n++;
      if (!line.trim()) continue;
      try {
        yield { where: `${file}:${n}`, data: JSON.parse(line) };
      } catch (e) {
        yield { where: `${file}:${n}`, parseError: `not JSON: ${e.message}` };
      }
    }
    return;
  }
  const text = fs.readFileSync(file, "utf8");
  if (/\.ya?ml$/.test(file)) {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: false });
    if (doc.errors.length) {
      yield { where: file, parseError: `YAML: ${doc.errors[0].message}` };
      return;
    }
    yield { where: file, data: doc.toJS({ maxAliasCount: 1000 }), position: (e) => yamlPosition(doc, lineCounter, e) };
    return;
  }
  try {
    yield { where: file, data: JSON.parse(text) };
  } catch (e) {
    yield { where: file, parseError: `not JSON: ${e.message}` };
  }
}

async function main() {
  const args = process.argv.slice(2);
  let expectInvalid = false;
  let expectations = null;
  while (args.length && args[0].startsWith("--")) {
    const opt = args.shift();
    if (opt === "--expect-invalid") expectInvalid = true;
    else if (opt === "--expect-errors") {
      expectInvalid = true;
      const f = args.shift() ?? usage("--expect-errors needs a file");
      expectations = JSON.parse(fs.readFileSync(f, "utf8"));
    } else if (opt === "--help" || opt === "-h") usage();
    else usage(`unknown option ${opt}`);
  }
  if (args.length < 2) usage("need a schema and at least one data file");
  const [schemaPath, ...files] = args;
  for (const f of files) if (!fs.existsSync(f)) usage(`no such file: ${f}`);
  const validate = makeValidator(schemaPath);
  const schemaName = path.basename(schemaPath);

  let total = 0, invalid = 0, reported = 0, unexpected = 0;
  for (const file of files) {
    for await (const doc of documents(file)) {
      total++;
      let problem = doc.parseError;
      if (!problem && !validate(doc.data)) {
        const errors = telling(validate.errors);
        const where = doc.position ? `${doc.where}:${doc.position(errors[0])}` : doc.where;
        problem = { where, text: recordName(doc.data) + summarize(errors), all: validate.errors.map(describe) };
      } else if (problem) {
        problem = { where: doc.where, text: problem, all: [problem] };
      }
      if (expectInvalid) {
        const base = path.basename(doc.where.replace(/:\d+$/, ""));
        if (!problem) {
          unexpected++;
          console.log(`FAIL ${doc.where}: valid against ${schemaName}, expected invalid`);
        } else if (expectations && expectations[base] !== undefined &&
                   !problem.all.some((t) => t.includes(expectations[base]))) {
          unexpected++;
          console.log(`FAIL ${problem.where}: invalid, but not for the expected reason '${expectations[base]}': ${problem.text}`);
        } else {
          console.log(`ok   ${problem.where}: rejected: ${problem.text}`);
        }
        continue;
      }
      if (problem) {
        invalid++;
        if (reported++ < MAX_REPORTED) console.log(`${problem.where}: ${problem.text}`);
      }
    }
  }
  if (expectInvalid) {
    console.log(unexpected ? `${unexpected} of ${total} documents not rejected as expected by ${schemaName}`
                           : `${total} documents rejected as expected by ${schemaName}`);
    process.exit(unexpected ? 1 : 0);
  }
  if (invalid) {
    if (reported > MAX_REPORTED) console.log(`... ${reported - MAX_REPORTED} more not shown`);
    console.log(`${invalid} of ${total} records invalid against ${schemaName}`);
    process.exit(1);
  }
  if (total === 0) {
    console.log(`no records in ${files.join(" ")}`);
    process.exit(1);
  }
  console.log(`${total} record${total === 1 ? "" : "s"} valid against ${schemaName}`);
}

main().catch((e) => {
  console.error(`validate.mjs: ${e.stack || e}`);
  process.exit(2);
});
