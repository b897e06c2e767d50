#!/usr/bin/env bash
# The HIS over MLLP: mllp_send (Debian python3-hl7) plays the HIS against the
# running medgated. Good messages are answered AA with MSA-2 = MSH-10 once the
# record is durable and arrive at both targets; content errors are answered
# AE, unsupported types AR, an oversized frame AR naming the limit; the
# rejected messages are quarantined encrypted; a message sent again is
# answered AA without being processed twice; a GB 18030 message arrives as
# correct UTF-8.
source "$(dirname "$0")/lib.sh"
command -v mllp_send >/dev/null || fail "mllp_send missing (apt-get install python3-hl7; scripts/setup.sh does)"

demo_config "$WORK/medgate.yaml"
use_admin_port "$WORK/medgate.yaml"
MLLP_PORT=$(free_port)
sed -i -e "/plugin: his_hl7/,/listen:/ s|listen: 127.0.0.1:0|listen: 127.0.0.1:$MLLP_PORT|" \
  -e "s|^      listen: 127.0.0.1:$MLLP_PORT\$|      listen: 127.0.0.1:$MLLP_PORT\n      max_message_bytes: 4KiB|" "$WORK/medgate.yaml"
grep -q "max_message_bytes: 4KiB" "$WORK/medgate.yaml" || fail "test setup: MLLP options not set"
start_daemon "$WORK/medgate.yaml"
mllp_up() { /usr/bin/python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $MLLP_PORT), 1).close()" 2>/dev/null; }
wait_until 20 mllp_up || fail "MLLP listener did not come up on port $MLLP_PORT"

# send FILE: sends the messages of FILE (segments one per line, --loose) and
# prints each ACK with segments on lines of their own.
send() { mllp_send --loose -f "$1" -p "$MLLP_PORT" 127.0.0.1 | tr '\r\013\034' '\n\n\n' | sed '/^$/d'; }
# ack_field FILE SEG N: field N of the first SEG segment in an ACK dump (HL7
# numbering: MSH-1 is the field separator itself, so MSH-N is awk's $N).
ack_field() { awk -F'|' -v s="$2" -v n="$3" '$1 == s { print (s == "MSH" ? $n : $(n + 1)); exit }' "$1"; }

M=$WORK/msgs
mkdir -p "$M"
adt() {  # adt CONTROL_ID TRIGGER PID_LINE: an ADT message from HIS/H1
  printf 'MSH|^~\\&|HIS|H1|MEDGATE|HOSP|20261123083000+0800||ADT^%s^ADT_A01|%s|P|2.5|||||CHN|UNICODE UTF-8\n' "$2" "$1"
  printf 'EVN|%s|20261123083000+0800\n' "$2"
  [ -n "$3" ] && printf '%s\n' "$3"
  printf 'PV1|1|I|CARD^0301^02^H1||||||||||||||||V0001|||||||||||||||||||||||||20261123080000+0800\n'
}
PID_OK='PID|1||MRN900001^^^H1^MR~110101199003077730^^^CHN^NNCHN||测试^患者甲||19900307|F|||某路1号^^北京市^北京市^100000^CHN||13800000001'
adt MSG0001 A01 "$PID_OK" > "$M/good.hl7"
adt MSG0002 A01 "" > "$M/no_pid.hl7"
printf 'MSH|^~\\&|HIS|H1|MEDGATE|HOSP|20261123083000+0800||ORM^O01^ORM_O01|MSG0003|P|2.5\nPID|1||MRN900002^^^H1^MR\n' > "$M/unsupported.hl7"

# 1. A good message: AA, MSA-2 = MSH-10.
send "$M/good.hl7" > "$WORK/ack1"
[ "$(ack_field "$WORK/ack1" MSA 1)" = AA ] || { cat "$WORK/ack1"; fail "good ADT^A01 not answered AA"; }
[ "$(ack_field "$WORK/ack1" MSA 2)" = MSG0001 ] || fail "MSA-2 does not echo MSH-10"
[ "$(ack_field "$WORK/ack1" MSH 9)" = "ACK^A01^ACK" ] || fail "ACK MSH-9 is not ACK^A01^ACK: $(ack_field "$WORK/ack1" MSH 9)"
pass "ADT^A01 answered AA with MSA-2 = MSH-10"

# 2. Content error: no PID -> AE with an ERR segment.
send "$M/no_pid.hl7" > "$WORK/ack2"
[ "$(ack_field "$WORK/ack2" MSA 1)" = AE ] || { cat "$WORK/ack2"; fail "message without PID not answered AE"; }
[ "$(ack_field "$WORK/ack2" MSA 2)" = MSG0002 ] || fail "AE: MSA-2 does not echo MSH-10"
grep -q '^ERR|' "$WORK/ack2" || fail "AE without an ERR segment"
pass "missing PID answered AE with ERR"

# 3. Unsupported message type -> AR.
send "$M/unsupported.hl7" > "$WORK/ack3"
[ "$(ack_field "$WORK/ack3" MSA 1)" = AR ] || { cat "$WORK/ack3"; fail "ORM^O01 not answered AR"; }
grep -q '^ERR|.*|200^' "$WORK/ack3" || { cat "$WORK/ack3"; fail "AR for an unsupported type without ERR-3 200"; }
pass "unsupported message type answered AR (ERR-3 200)"

# 4. Oversized (max_message_bytes 4KiB) -> AR naming the limit; the connection stays usable.
{
  adt MSG0004 A08 "$PID_OK"
  printf 'NTE|1||%s\n' "$(head -c 6000 /dev/zero | tr '\0' 'x')"
} > "$M/big.hl7"
send "$M/big.hl7" > "$WORK/ack4"
[ "$(ack_field "$WORK/ack4" MSA 1)" = AR ] || { cat "$WORK/ack4"; fail "oversized message not answered AR"; }
grep -q "exceeds max_message_bytes (4096)" "$WORK/ack4" || { cat "$WORK/ack4"; fail "AR does not name the limit"; }
pass "oversized message answered AR naming max_message_bytes"

# 5. The good message again: AA, not processed twice.
send "$M/good.hl7" > "$WORK/ack5"
[ "$(ack_field "$WORK/ack5" MSA 1)" = AA ] || fail "resent message not answered AA"
[ "$(ack_field "$WORK/ack5" MSA 2)" = MSG0001 ] || fail "resent: MSA-2 does not echo MSH-10"

# 6. GB 18030: MSH-18 says so, the bytes are GB 18030; the department arrives as UTF-8.
adt MSG0006 A04 'PID|1||MRN900003^^^H1^MR||测试^患者乙||19850101|M' \
  | sed -e 's/UNICODE UTF-8$/GB 18030-2000/' -e 's/CARD^0301^02^H1/心内科^0301^02^H1/' \
  | iconv -f UTF-8 -t GB18030 > "$M/gb18030.hl7"
grep -q "$(printf '\xd0\xc4\xc4\xda\xbf\xc6')" "$M/gb18030.hl7" || fail "test setup: 心内科 not GB 18030-encoded"
send "$M/gb18030.hl7" > "$WORK/ack6"
[ "$(ack_field "$WORK/ack6" MSA 1)" = AA ] || { cat "$WORK/ack6"; fail "GB 18030 message not answered AA"; }
pass "GB 18030 message answered AA"

# 7. A short text result (OBX type ST) naming the next of kin (NK1) and a
# phone number: accepted; analytics gets the observation with the relative's
# name and the number scrubbed (policy analytics-strict scrubs observations).
{
  printf 'MSH|^~\\&|HIS|H1|MEDGATE|HOSP|20261123083000+0800||ORU^R01^ORU_R01|MSG0007|P|2.5|||||CHN|UNICODE UTF-8\n'
  printf 'PID|1||MRN900001^^^H1^MR||测试^患者甲||19900307|F\n'
  printf 'NK1|1|测试^家属乙|SPO^配偶^HL70063\n'
  printf 'OBR|1||LAB0007|24331-1^Lipid panel^LN|||20261123070000+0800\n'
  printf 'OBX|1|ST|8251-1^Service comment^LN||家属测试家属乙电话13900000002|||N|||F|||20261123073000+0800\n'
} > "$M/oru.hl7"
send "$M/oru.hl7" > "$WORK/ack7"
[ "$(ack_field "$WORK/ack7" MSA 1)" = AA ] || { cat "$WORK/ack7"; fail "ORU^R01 with a text result not answered AA"; }

# 8. A discharge with an ICD-10 diagnosis and a TCM one (GB/T 15657): AA with
# one warning ERR (ERR-4 W, 103) for the TCM diagnosis, which is left out;
# the ICD-10 one reaches analytics.
{
  adt MSG0010 A03 'PID|1||MRN900001^^^H1^MR||测试^患者甲||19900307|F'
  printf 'DG1|1||I10^原发性高血压^I10||||||||||||1\n'
  printf 'DG1|2||BNG010^胸痹^GB/T 15657\n'
} > "$M/tcm.hl7"
send "$M/tcm.hl7" > "$WORK/ack8"
[ "$(ack_field "$WORK/ack8" MSA 1)" = AA ] || { cat "$WORK/ack8"; fail "discharge with a TCM diagnosis not answered AA"; }
[ "$(grep -c '^ERR|' "$WORK/ack8")" = 1 ] || { cat "$WORK/ack8"; fail "expected exactly one ERR warning"; }
[ "$(ack_field "$WORK/ack8" ERR 4)" = W ] || { cat "$WORK/ack8"; fail "ERR-4 of the warning is not W"; }
[ "$(ack_field "$WORK/ack8" ERR 2)" = "DG1^2^3^^3" ] || { cat "$WORK/ack8"; fail "the warning does not point at DG1 #2 field 3.3"; }
case "$(ack_field "$WORK/ack8" ERR 3)" in 103^*) ;; *) cat "$WORK/ack8"; fail "ERR-3 of the warning is not 103";; esac
pass "a diagnosis in another code system: AA with a warning ERR (W, 103, DG1^2^3^^3)"

# Records at the targets: MSG0001 once and MSG0006, at analytics and outreach.
A=$WORK/var/out/analytics O=$WORK/var/out/outreach
count_id() { cat "$1"/*.ndjson* 2>/dev/null | grep -c "\"source_record_id\":\"HIS^H1^$2\"" || true; }
wait_until 20 bash -c "[ \$(cat $A/*.ndjson* 2>/dev/null | grep -c 'HIS^H1^MSG0006') -ge 1 ] && [ \$(cat $O/*.ndjson* 2>/dev/null | grep -c 'HIS^H1^MSG0006') -ge 1 ]" \
  || fail "records did not reach both targets"
[ "$(count_id "$A" MSG0001)" = 1 ] || fail "MSG0001 at analytics $(count_id "$A" MSG0001) times (resent message processed twice?)"
[ "$(count_id "$O" MSG0001)" = 1 ] || fail "MSG0001 at outreach $(count_id "$O" MSG0001) times"
for bad in MSG0002 MSG0003 MSG0004; do
  [ "$(count_id "$A" $bad)" = 0 ] || fail "rejected $bad reached analytics"
done
pass "resent message answered AA and delivered once; rejected ones not delivered"

# The source's own counts in /metrics (plugin events): the answers so far.
for want in ack_aa=4 ack_ae=1 ack_ar=2 duplicates=1 segments_left_out=1; do
  metric_is "medgate_source_plugin_events_total{source=\"his\",event=\"${want%=*}\"}" "${want#*=}" ||
    fail "/metrics: ${want%=*} is '$(metric "medgate_source_plugin_events_total{source=\"his\",event=\"${want%=*}\"}")', want ${want#*=}"
done
pass "/metrics counts the source's AA, AE, AR, duplicates and left-out segments"
wait_until 20 bash -c "cat $A/*.ndjson* 2>/dev/null | grep -q 'HIS^H1^MSG0010'" || fail "MSG0010 did not reach analytics"
grep -h 'HIS^H1^MSG0010' "$A"/*.ndjson* | grep -q '"diagnoses":\[{"code":"I10","system":"ICD-10","role":"primary"' \
  || { grep -h 'HIS^H1^MSG0010' "$A"/*.ndjson*; fail "MSG0010 at analytics lacks its ICD-10 diagnosis"; }
[ "$(grep -h 'HIS^H1^MSG0010' "$A"/*.ndjson* | grep -c 'BNG010')" = 0 ] || fail "the TCM diagnosis reached analytics"
grep -q 'DG1-3 (103 Table value not found)' "$WORK/medgated.log" || fail "the left-out kind was not logged"
grep -q 'BNG010\|胸痹' "$WORK/medgated.log" && fail "the log names a left-out value"
pass "the ICD-10 diagnosis reached analytics, the TCM one did not; the log names the kind, not the value"
grep -h 'HIS^H1^MSG0006' "$A"/*.ndjson* | grep -q '"department":"心内科"' \
  || { grep -h 'HIS^H1^MSG0006' "$A"/*.ndjson*; fail "GB 18030 department did not arrive as UTF-8 心内科"; }
pass "GB 18030 text arrives as UTF-8"
wait_until 20 bash -c "cat $A/*.ndjson* 2>/dev/null | grep -q 'HIS^H1^MSG0007'" || fail "the ORU^R01 record did not reach analytics"
grep -h 'HIS^H1^MSG0007' "$A"/*.ndjson* | grep -q '"value":"家属\[NAME\]电话\[PHONE\]"' \
  || { grep -h 'HIS^H1^MSG0007' "$A"/*.ndjson*; fail "the text result's kin name and phone number were not scrubbed at analytics"; }
! grep -rq '家属乙' "$A" || fail "the next of kin's name reached analytics"
pass "a short text result (OBX ST) reaches analytics with the next of kin's name and the phone number scrubbed"
# Nothing raw at analytics: the name, MRN, resident ID and phone of the good message.
for raw in 患者甲 MRN900001 110101199003077730 13800000001 13900000002; do
  ! grep -q "$raw" "$A"/*.ndjson* || fail "raw identifier reached analytics"
done
pass "analytics output holds no raw identifier of the messages"

# Quarantine: the AE and the AR message (the oversized one was never read), encrypted.
Q=$WORK/var/quarantine/his.ndjson
[ -f "$Q" ] || fail "no quarantine file for source his"
[ "$(wc -l < "$Q")" = 2 ] || { cat "$Q"; fail "expected 2 quarantined messages, found $(wc -l < "$Q")"; }
! grep -q 'MSG0002\|MRN900002\|PID|' "$Q" || fail "quarantined message stored in clear"
grep -q '"reason":"AE: ' "$Q" && grep -q '"reason":"AR: ' "$Q" || { cat "$Q"; fail "quarantine reasons do not say AE/AR"; }
pass "AE and AR messages quarantined, encrypted at rest"

# 9. A40 merge: MRN900009 is merged into the patient of MSG0001; a later message
# that still carries only MRN900009 counts for that patient (same token).
adt MSG0011 A08 'PID|1||MRN900009^^^H1^MR||测试^患者丙||19900307|F' > "$M/before.hl7"
{
  printf 'MSH|^~\\&|HIS|H1|MEDGATE|HOSP|20261123090000+0800||ADT^A40^ADT_A39|MSG0012|P|2.5|||||CHN|UNICODE UTF-8\n'
  printf 'EVN|A40|20261123090000+0800\n%s\nMRG|MRN900009^^^H1^MR\n' "$PID_OK"
} > "$M/merge.hl7"
adt MSG0013 A08 'PID|1||MRN900009^^^H1^MR||测试^患者丙||19900307|F' > "$M/after.hl7"
for f in before merge after; do
  send "$M/$f.hl7" > "$WORK/ack_$f"
  [ "$(ack_field "$WORK/ack_$f" MSA 1)" = AA ] || { cat "$WORK/ack_$f"; fail "$f message of the merge not answered AA"; }
done
token_of() { grep -h "\"source_record_id\":\"HIS^H1^$1\"" "$A"/*.ndjson* | /usr/bin/python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["patient"]["token"])'; }
wait_until 20 bash -c "cat $A/*.ndjson* | grep -q 'HIS^H1^MSG0013'" || fail "merge messages did not reach analytics"
survivor=$(token_of MSG0001)
[ -n "$survivor" ] || fail "no token for MSG0001"
[ "$(token_of MSG0012)" = "$survivor" ] || fail "the merge record does not carry the surviving patient's token"
[ "$(token_of MSG0011)" != "$survivor" ] || fail "before the merge MRN900009 already had the survivor's token?"
[ "$(token_of MSG0013)" = "$survivor" ] || fail "after ADT^A40 a record with the merged MRN still has its own token"
pass "ADT^A40: records with the merged MRN get the surviving patient's token"

# Inspecting the quarantine: any role lists it (no content); only an admin
# reads an entry in clear, and the read is in the audit log.
CTL=("$MEDGATECTL" --config "$WORK/medgate.yaml")
K=$WORK/var/keys
"${CTL[@]}" --token-file "$K/admin-auditor.token" quarantine list > "$WORK/qlist" || fail "quarantine list failed"
grep -Eq '^his +2 ' "$WORK/qlist" || { cat "$WORK/qlist"; fail "quarantine list does not show 2 entries for his"; }
"${CTL[@]}" --token-file "$K/admin-auditor.token" quarantine list his > "$WORK/qhis" || fail "quarantine list his failed"
grep -q 'AE: HL7 error 100' "$WORK/qhis" && grep -q 'AR: HL7 error 200' "$WORK/qhis" \
  || { cat "$WORK/qhis"; fail "quarantine list his does not give the reasons"; }
! grep -q 'MSG00\|MRN900' "$WORK/qhis" || fail "quarantine list shows content"
if "${CTL[@]}" --token-file "$K/admin-auditor.token" quarantine show his 1 > "$WORK/qshow_aud" 2>&1; then
  fail "an auditor token read a quarantined message in clear"
fi
"${CTL[@]}" --token-file "$K/admin-admin.token" quarantine show his 1 > "$WORK/qshow" 2> "$WORK/qshow.err" \
  || { cat "$WORK/qshow.err"; fail "quarantine show his 1 with the admin token failed"; }
grep -q '^MSH|.*|MSG0002|' "$WORK/qshow" || { cat "$WORK/qshow"; fail "quarantine show does not print the message"; }
grep -q 'recorded in the audit log' "$WORK/qshow.err" || fail "quarantine show does not say the read is audited"
pass "quarantine: listed without content by any role, shown in clear to an admin only"

# Dropping a quarantined input: an auditor may not; an operator may, by the
# number the list shows; the others keep their numbers; the removal is audited.
if "${CTL[@]}" --token-file "$K/admin-auditor.token" quarantine drop his 1 > "$WORK/qdrop_aud" 2>&1; then
  fail "an auditor token dropped a quarantined input"
fi
grep -q '403' "$WORK/qdrop_aud" || { cat "$WORK/qdrop_aud"; fail "the auditor's drop was not refused with 403"; }
if "${CTL[@]}" --token-file "$K/admin-operator.token" quarantine drop his 3 > "$WORK/qdrop_bad" 2>&1; then
  fail "dropping entry 3 of 2 succeeded"
fi
grep -q 'has 2 quarantined inputs; there is no entry 3' "$WORK/qdrop_bad" || { cat "$WORK/qdrop_bad"; fail "no clear error for entry 3 of 2"; }
"${CTL[@]}" --token-file "$K/admin-operator.token" quarantine drop his 1 > "$WORK/qdrop" 2>&1 \
  || { cat "$WORK/qdrop"; fail "quarantine drop his 1 with the operator token failed"; }
grep -q '^dropped 1 quarantined input of his' "$WORK/qdrop" && grep -Eq '^ +1  .*AE: HL7 error 100' "$WORK/qdrop" \
  || { cat "$WORK/qdrop"; fail "quarantine drop does not say what it removed"; }
[ "$(wc -l < "$Q")" = 1 ] || fail "expected 1 quarantined message after the drop, found $(wc -l < "$Q")"
"${CTL[@]}" --token-file "$K/admin-auditor.token" quarantine list his > "$WORK/qhis2" || fail "quarantine list his failed"
grep -Eq '^ +2  .*AR: HL7 error 200' "$WORK/qhis2" && ! grep -q 'AE: HL7 error 100' "$WORK/qhis2" \
  || { cat "$WORK/qhis2"; fail "after dropping entry 1 the list should hold only the AR message, still as entry 2"; }
if "${CTL[@]}" --token-file "$K/admin-operator.token" quarantine drop his 1 > "$WORK/qdrop_again" 2>&1; then
  fail "entry 1 could be dropped twice"
fi
grep -q 'there is no entry 1' "$WORK/qdrop_again" || { cat "$WORK/qdrop_again"; fail "dropping entry 1 again: no clear error"; }
pass "quarantine drop: refused to an auditor, entry 1 removed for an operator, entry 2 keeps its number, missing entries named"

stop_daemon
"$MEDGATECTL" audit verify "$WORK/var/audit" --key "$K/audit-verify.pub" > "$WORK/verify" \
  || { cat "$WORK/verify"; fail "audit log not intact"; }
grep -q '1 quarantine read' "$WORK/verify" || { cat "$WORK/verify"; fail "the quarantine read is not in the audit log"; }
grep -q '1 quarantine removal' "$WORK/verify" || { cat "$WORK/verify"; fail "the quarantine drop is not in the audit log"; }
"$MEDGATECTL" audit query --dir "$WORK/var/audit" --all-types > "$WORK/qaudit" 2>/dev/null
grep -q 'quarantined inputs removed: source his, 1 (entries) by role operator' "$WORK/qaudit" \
  || { grep quarantine "$WORK/qaudit"; fail "audit query does not show the quarantine drop"; }
pass "the read and the drop of quarantined messages are in the (intact) audit log"
! grep -q '患者\|家属乙\|MRN900\|13800000001' "$WORK/medgated.log" || fail "personal data in the log"
pass "no personal data in the log"
