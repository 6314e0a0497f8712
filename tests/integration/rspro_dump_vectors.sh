#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rspro_dump_vectors.sh: rspro-dump on the captured osmo-remsim frames of
# tests/vectors/: every frame decodes, re-encodes to the identical bytes, and
# gives the captured XER; bad lines are reported as FILE:LINE with a reason
# and a non-zero exit status, without losing the good lines around them.
. "$(dirname "$0")/../lib/common.sh"
V=$TOP/tests/vectors
DUMP=$BIN/rspro-dump

# the hex column of each file, as the frames appear on the wire
cut -f1 "$V/encoder-every-message.txt" | awk '{ $1 = ""; $2 = ""; gsub(/ /, ""); print }' >"$T/enc.hex"
awk -F'\t' '{ print $2 }' "$V/encoder-every-message.txt" >"$T/enc.xer"
grep -v '^#' "$V/message-types.txt" | awk '{ print $NF }' >"$T/types.hex"
awk '{ print $NF }' "$V/session-upstream-1.0.0.txt" >"$T/session.hex"

for f in enc types session; do
	n=$(wc -l <"$T/$f.hex")
	if "$DUMP" --reencode "$T/$f.hex" >"$T/$f.out" 2>"$T/$f.err" && cmp -s "$T/$f.hex" "$T/$f.out"; then
		pass "reencode $f: $n frames byte-identical"
	else
		fail "reencode $f"; diff "$T/$f.hex" "$T/$f.out" | head -n 5; cat "$T/$f.err"
	fi
done

if "$DUMP" --xer "$T/enc.hex" >"$T/enc.xout" 2>"$T/xer.err" && cmp -s "$T/enc.xer" "$T/enc.xout"; then
	pass "xer matches the captured XER column"
else
	fail "xer"; diff "$T/enc.xer" "$T/enc.xout" | head -n 5
fi

# the default view names each message; the session has the names of column 2
awk '{ print $2 }' "$V/session-upstream-1.0.0.txt" >"$T/session.names"
"$DUMP" "$T/session.hex" | awk '{ print $1 }' >"$T/session.got"
check "fields view names every message of the session" cmp -s "$T/session.names" "$T/session.got"

"$DUMP" --summary "$T/session.hex" >"$T/session.sum"
check "summary of connectClientReq" grep -qx 'connectClientReq C1:0 "remsim-client" 1.0.0' "$T/session.sum"

# spaces and comments are allowed
printf '# a comment\n\n0010 ee 07 300d800102810100a205a5030a0100\n' >"$T/spaced.hex"
check "spaces and comments" bash -c "'$DUMP' '$T/spaced.hex' | grep -q '^createMappingRes version=2 tag=0 result=ok$'"

# bad lines: each reported with file:line and reason; good lines still printed
cat >"$T/bad.hex" <<'HEX'
0010ee07300d800102810100a205a5030a0100
0010ee07300d800102810100a205a503
zz10
0010ee07300d800102810100a205a5030a010
0000fe
0003aa0102
0003ee0801
0010ee07310d800102810100a205a5030a0100
0001fe00
HEX
"$DUMP" "$T/bad.hex" >"$T/bad.out" 2>"$T/bad.err"
rc=$?
check "bad input exits 1" test "$rc" = 1
check "truncated frame reported" grep -q "bad.hex:2: " "$T/bad.err"
check "non-hex reported" grep -q "bad.hex:3: not a hex digit" "$T/bad.err"
check "odd hex reported" grep -q "bad.hex:4: odd number of hex digits" "$T/bad.err"
check "zero-length frame reported" grep -q "bad.hex:5: " "$T/bad.err"
check "wrong proto reported" grep -q "bad.hex:6: " "$T/bad.err"
check "wrong extension reported" grep -q "bad.hex:7: " "$T/bad.err"
check "malformed PDU reported" grep -q "bad.hex:8: RSPRO decode failed: malformed PDU" "$T/bad.err"
check "good lines around bad ones still printed" test "$(wc -l <"$T/bad.out")" = 2
check "no crash lines" bash -c "! grep -qi 'sanitizer\|core dumped' '$T/bad.err'"
check "--help exits 0" bash -c "'$DUMP' --help >/dev/null"
"$DUMP" --bogus >/dev/null 2>&1
check "unknown option exits 2" test $? = 2
finish
