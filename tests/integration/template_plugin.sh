#!/usr/bin/env bash
# ctest: RUN_SERIAL
# The install tree is complete, and the plugin template builds out of tree
# against the installed SDK package, installs next to the bundled plugins, is
# found by the installed medgated relative to its own prefix, and runs.
source "$(dirname "$0")/lib.sh"
P="$WORK/prefix"
cmake --install "$BUILD_DIR" --prefix "$P" > "$WORK/install.log" || fail "cmake --install failed"
for f in bin/medgated bin/medgatectl lib/medgate/plugins/file.so include/medgate/sdk/plugin.h \
         include/medgate/sdk/export.h include/medgate/testkit/fake_source_context.h lib/cmake/medgate_sdk/medgate_sdkConfig.cmake share/medgate/plugin-template/CMakeLists.txt; do
  [ -e "$P/$f" ] || fail "install tree lacks $f"
done
pass "install tree has binaries, bundled plugins, SDK headers and CMake package"

cp -r "$P/share/medgate/plugin-template" "$WORK/my-plugin"
cmake -S "$WORK/my-plugin" -B "$WORK/my-plugin/build" -DCMAKE_PREFIX_PATH="$P" > "$WORK/tpl.log" 2>&1 || { cat "$WORK/tpl.log"; fail "template configure failed"; }
cmake --build "$WORK/my-plugin/build" >> "$WORK/tpl.log" 2>&1 || { cat "$WORK/tpl.log"; fail "template build failed"; }
cmake --install "$WORK/my-plugin/build" --prefix "$P" >> "$WORK/tpl.log" 2>&1 || fail "template install failed"
[ -f "$P/lib/medgate/plugins/template_source.so" ] || fail "template plugin not installed"
(cd "$WORK/my-plugin/build" && ctest --output-on-failure) > "$WORK/tpl-test.log" 2>&1 || { cat "$WORK/tpl-test.log"; fail "the template's own test failed"; }
grep -q "100% tests passed, 0 tests failed out of 1" "$WORK/tpl-test.log" || fail "the template's test did not run: $(cat "$WORK/tpl-test.log")"
pass "template built out of tree against the installed SDK; its test-kit test passes"

make_key "$WORK/keys/k.key"
make_signing_key "$WORK/keys/audit.key"
cat > "$WORK/medgate.yaml" <<YAML
state_dir: state
# An ephemeral admin port: tests run in parallel, and a demo may hold 8580.
admin: {listen: 127.0.0.1:0}
keys: [{id: k, file: keys/k.key}]
audit: {signing_key: keys/audit.key}
identity: {key: k}
sources:
  tpl: {plugin: template, config: {count: 12, batch: 5, interval: 10ms}}
targets:
  out: {plugin: file, config: {path: out}}
routes: [{name: r, from: [tpl], to: [out], policy: p}]
policies:
  p:
    purpose: analytics
    rules: [{field: patient.gender, method: keep}, {field: subject.mrn, method: token, to: patient.mrn_token}]
YAML
"$P/bin/medgatectl" --config "$WORK/medgate.yaml" plugins --offline > "$WORK/plugins.out" || fail "medgatectl plugins failed"
SDK=$(sed -n 's/^set(MEDGATE_SDK_VERSION \([0-9]*\.[0-9]*\)\..*/\1/p' "$SOURCE_DIR/plugins/CMakeLists.txt")
[ -n "$SDK" ] || fail "test setup: no SDK version in plugins/CMakeLists.txt"
grep -q "^template 0.1.0 \[source\] sdk $SDK $P/lib/medgate/plugins/template_source.so" "$WORK/plugins.out" \
  || fail "template not listed: $(cat "$WORK/plugins.out")"
grep -q "^file 1.0.0 \[source,target\]" "$WORK/plugins.out" || fail "bundled file plugin not listed"
pass "installed medgated finds bundled and added plugins under its own prefix"

MEDGATED="$P/bin/medgated"
start_daemon "$WORK/medgate.yaml"
wait_until 30 has_lines "$WORK/out" 12 || fail "template records did not arrive"
stop_daemon
[ "$(output_lines "$WORK/out")" -eq 12 ] || fail "expected 12 records, got $(output_lines "$WORK/out")"
grep -q '"mrn_token":"' "$WORK"/out/*.ndjson || fail "policy not applied to template records"
grep -q 'TPL100' "$WORK"/out/*.ndjson && fail "raw MRN leaked"
pass "template source records delivered through the policy"
