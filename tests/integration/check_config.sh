#!/usr/bin/env bash
# `medgated --check` on real files with the real plugins: a good config passes
# (exit 0); each of the five kinds of problem (YAML syntax, unknown key, wrong
# type, unknown plugin, missing key file) is printed as FILE:LINE:COL: message
# and exits 1; several problems in one file are all listed. The audit signing
# key: missing, unreadable, group-readable, not Ed25519, a data key, or with a
# verify_key that is not its public half.
source "$(dirname "$0")/lib.sh"
make_key "$WORK/keys/k.key"
make_signing_key "$WORK/keys/audit.key" "$WORK/keys/audit.pub"
cat > "$WORK/good.yaml" <<YAML
state_dir: $WORK/var
keys:
  - id: k
    file: $WORK/keys/k.key
sources:
  inbox:
    plugin: file
    config:
      path: $WORK/var/inbox
targets:
  out:
    plugin: file
    config:
      path: $WORK/var/out
policies:
  p:
    purpose: analytics
    rules:
      - {field: patient.token, method: keep}
routes:
  - {name: r, from: [inbox], to: [out], policy: p}
audit:
  signing_key: $WORK/keys/audit.key
YAML
"$MEDGATED" --check --config "$WORK/good.yaml" > "$WORK/good.out" 2>&1 || { cat "$WORK/good.out"; fail "good config refused"; }
grep -q "OK" "$WORK/good.out" || fail "no OK line for a good config"
pass "a good config checks (exit 0)"

# expect_problem NAME SED_EXPR EXPECTED_LINE: edits good.yaml with SED_EXPR,
# runs --check, and wants exit 1 and the exact FILE:LINE:COL: message prefix.
expect_problem() {
  local name=$1 edit=$2 want=$3 f="$WORK/$1.yaml" rc=0
  sed -e "$edit" "$WORK/good.yaml" > "$f"
  "$MEDGATED" --check --config "$f" > "$WORK/$name.out" 2>&1 || rc=$?
  [ "$rc" -eq 1 ] || { cat "$WORK/$name.out"; fail "$name: exit $rc, want 1"; }
  grep -qF -- "$f:$want" "$WORK/$name.out" || { cat "$WORK/$name.out"; fail "$name: no line '$f:$want'"; }
  pass "$name: $(grep -F -- "$f:" "$WORK/$name.out" | head -1)"
}

expect_problem yaml_syntax "s|      path: $WORK/var/out|      path: [unclosed|" "15:9: YAML syntax error: end of sequence flow not found"
expect_problem unknown_key '0,/^    plugin: file$/s//    plugin: file\n    colour: blue/' "8:5: unknown key 'sources.inbox.colour'"
expect_problem unknown_option 's|      path: '"$WORK"'/var/inbox|      path: '"$WORK"'/var/inbox\n      poll_intervall: 1s|' \
  "10:7: unknown key 'sources.inbox.config.poll_intervall' (did you mean 'poll_interval'?)"
expect_problem wrong_type 's|      path: '"$WORK"'/var/inbox|      path: '"$WORK"'/var/inbox\n      batch_max: lots|' \
  "10:18: 'sources.inbox.config.batch_max' must be an integer, not 'lots'"
expect_problem unknown_plugin '0,/plugin: file/s//plugin: filez/' "7:13: unknown plugin 'filez' (loaded plugins: "
expect_problem missing_key_file 's|keys/k.key|keys/missing.key|' "4:11: key file $WORK/keys/missing.key cannot be opened"

chmod 0644 "$WORK/keys/k.key"
expect_problem readable_key_file 's|^state_dir|state_dir|' "4:11: key file $WORK/keys/k.key is accessible by group or others (mode 0644)"
chmod 0600 "$WORK/keys/k.key"

# The audit signing key (lines 22-23 of good.yaml).
expect_problem no_signing_key '/^  signing_key:/d' "22:1: missing required key 'audit.signing_key': the Ed25519 private key"
expect_problem missing_signing_key 's|keys/audit.key|keys/none.key|' \
  "23:16: audit signing key $WORK/keys/none.key cannot be opened"
cp "$WORK/keys/k.key" "$WORK/keys/hex.key"
expect_problem hex_signing_key 's|keys/audit.key|keys/hex.key|' \
  "23:16: audit signing key $WORK/keys/hex.key does not hold a PEM private key; make one with \`openssl genpkey -algorithm ed25519"
(umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/keys/rsa.key" 2>/dev/null)
expect_problem rsa_signing_key 's|keys/audit.key|keys/rsa.key|' \
  "23:16: audit signing key $WORK/keys/rsa.key holds a key of type RSA, not Ed25519"
expect_problem data_key_as_signing_key 's|keys/audit.key|keys/k.key|' \
  "23:16: 'audit.signing_key' must not be a data key file (it is the file of key 'k')"
ln -s k.key "$WORK/keys/link.key"
expect_problem linked_data_key 's|keys/audit.key|keys/link.key|' \
  "23:16: 'audit.signing_key' $WORK/keys/link.key is the same file as key 'k'"
chmod 0640 "$WORK/keys/audit.key"
expect_problem readable_signing_key 's|^state_dir|state_dir|' \
  "23:16: audit signing key $WORK/keys/audit.key is accessible by group or others (mode 0640)"
chmod 0600 "$WORK/keys/audit.key"
make_signing_key "$WORK/keys/other.key" "$WORK/keys/other.pub"
expect_problem wrong_verify_key 's|^  signing_key: .*|&\n  verify_key: '"$WORK"'/keys/other.pub|' \
  "24:15: 'audit.verify_key' $WORK/keys/other.pub (key "
sed -e 's|^  signing_key: .*|&\n  verify_key: '"$WORK"'/keys/audit.pub|' "$WORK/good.yaml" > "$WORK/verify.yaml"
"$MEDGATED" --check --config "$WORK/verify.yaml" > "$WORK/verify.out" 2>&1 || { cat "$WORK/verify.out"; fail "a matching verify_key refused"; }
pass "audit.verify_key that is the signing key's public half checks"

# Several problems at once: all are listed, in file order.
sed -e 's|keys/k.key|keys/missing.key|' -e '0,/plugin: file/s//plugin: filez/' -e 's|policy: p}|policy: nope}|' \
  "$WORK/good.yaml" > "$WORK/many.yaml"
rc=0; "$MEDGATED" --check --config "$WORK/many.yaml" > "$WORK/many.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "many: exit $rc"
n=$(grep -c "^$WORK/many.yaml:[0-9]*:[0-9]*: " "$WORK/many.out" || true)
[ "$n" -eq 3 ] || { cat "$WORK/many.out"; fail "many: want 3 problems, got $n"; }
pass "three problems in one file: all three listed"

rc=0; "$MEDGATED" --check --config "$WORK/nonexistent.yaml" > "$WORK/none.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -qF "$WORK/nonexistent.yaml:1:1: cannot open config file" "$WORK/none.out" || fail "missing config file"
pass "a missing config file is reported"

# Policies fail closed: what would let a direct identifier out is refused with its position.
expect_problem analytics_encrypt 's|      - {field: patient.token, method: keep}|&\n      - {field: subject.phone, method: encrypt, to: channels.phone_handle}|' \
  "20:9: policy 'p' rule for 'subject.phone': method 'encrypt' makes a reversible handle, which analytics targets never get"
expect_problem analytics_keeps_notes 's|      - {field: patient.token, method: keep}|&\n      - {field: notes, method: keep}|' \
  "20:9: policy 'p' rule for 'notes': method 'keep' would pass free text ('notes')"
expect_problem keeps_raw_phone 's|purpose: analytics|purpose: outreach|; s|      - {field: patient.token, method: keep}|&\n      - {field: subject.phone, method: keep, to: channels.phone}|' \
  "20:9: policy 'p' rule for 'subject.phone': method 'keep' would pass a raw identifier out of the gateway"
expect_problem retired_key 's|    file: '"$WORK"'/keys/k.key|&\n  - {id: old, file: '"$WORK"'/keys/k.key, retired: true}|; s|      - {field: patient.token, method: keep}|&\n      - {field: subject.mrn, method: token, to: patient.mrn_token, key: old}|' \
  "21:9: policy 'p' rule for 'subject.mrn': method 'token' names key 'old', which is retired"

# Rules on each element of an array (`*`): accepted in YAML's flow style as
# the shipped configs write rules; an array written both whole and element by
# element is refused, naming both rules.
sed -e 's|      - {field: patient.token, method: keep}|&\n      - {field: charges.*.amount_cny, method: generalize, to: charges.*.amount_band, level: amount_band}\n      - {field: notes.*.kind, method: keep}\n      - {field: notes.*.text, method: scrub}|' \
  "$WORK/good.yaml" > "$WORK/elements.yaml"
"$MEDGATED" --check --config "$WORK/elements.yaml" > "$WORK/elements.out" 2>&1 ||
  { cat "$WORK/elements.out"; fail "element rules refused"; }
pass "rules on each element of an array (charges.*.amount_cny, notes.*.kind) check"
expect_problem whole_and_elements 's|      - {field: patient.token, method: keep}|&\n      - {field: charges, method: keep}\n      - {field: charges.*.category, method: keep}|' \
  "21:9: policy 'p' rule for 'charges.*.category': it writes into the elements of 'charges', which the rule for 'charges' (line 20) writes whole"
expect_problem element_into_elsewhere 's|      - {field: patient.token, method: keep}|&\n      - {field: charges.*.amount_cny, method: generalize, to: patient.amount_band, level: amount_band}|' \
  "20:9: policy 'p' rule for 'charges.*.amount_cny': a rule on the elements of an array writes into the same elements"
