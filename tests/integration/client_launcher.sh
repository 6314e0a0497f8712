#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# client_launcher.sh: remsim-client / remsim-client-shell option handling
# (osmo-remsim-client's options -> the generated role config), the -c clash
# (a number is the client id, anything else a config file), --help/-v, ATR
# validation, etc/client.cfg validity, and usbslot config errors naming
# file:line.
. "$(dirname "$0")/../lib/common.sh"

RC="$BIN/remsim-client"; RCS="$BIN/remsim-client-shell"
"$RC" --help >"$T/help" 2>&1; rc=$?
check "launcher: --help exits 0" [ "$rc" = 0 ]
check "launcher: --help lists the SIMtrace2 options" grep -q -- '-V, --usb-vendor HEX' "$T/help"
"$RCS" --help >"$T/shelp" 2>&1
check "launcher: the shell's --help lists the USB options only as ignored" \
	bash -c "! grep -q -- '-V, --usb-vendor' '$T/shelp' && grep -q '^Accepted and ignored (the SIMtrace2' '$T/shelp' && grep -q 'stdin/stdout' '$T/shelp'"
check "launcher: -v prints the version" bash -c "'$RC' -v | grep -q '^remsim-client [0-9]'"
"$RC" -a 3b --print-config >/dev/null 2>"$T/atr.err"; rc=$?
check "launcher: a 1-octet ATR is malformed, exit 2 (rc=$rc)" eval '[ "$rc" = 2 ] && grep -q "bad value .3b. for -a/--atr" "$T/atr.err"'
"$RC" -a zz00 --print-config >/dev/null 2>&1; rc=$?
check "launcher: a non-hex ATR is malformed, exit 2" [ "$rc" = 2 ]

"$RC" -i 10.1.2.3 -p 1234 -c 5 -n 2 -a "3b 9f 95" -r -e /bin/true -Z 1 -V 1d50 -P 4004 -C 1 -I 1 \
	-S 0 -A 7 -H 2-1.1 --usb-serial ABC --run-dir "$T/rd" --print-config >"$T/gen.cfg" 2>"$T/gen.err"
rc=$?
check "launcher: osmo options accepted (rc=$rc)" [ "$rc" = 0 ]
"$RC" -i 10.1.2.3 -X --print-config >/dev/null 2>"$T/unk.err"; rc=$?
check "launcher: an unknown option is refused with usage, exit 2 (rc=$rc)" \
	eval '[ "$rc" = 2 ] && grep -q "unknown option" "$T/unk.err" && grep -q "^usage:" "$T/unk.err"'
for want in 'server_host = "10.1.2.3";' 'server_port = 1234;' 'client_id = 5;' 'client_slot = 2;' \
	'atr = "3b 9f 95";' 'atr_ignore_rspro = true;' 'event_script = "/bin/true";' 'sim_presence = 1;' \
	'vendor = "1d50";' 'product = "4004";' 'config = 1;' 'interface = 1;' 'address = 7;' \
	'path = "2-1.1";' 'serial = "ABC";' 'transport = "usb";' "run_dir = \"$T/rd\";"; do
	check "launcher: generated config has $want" grep -qF "$want" "$T/gen.cfg"
done
"$BIN/remsimd" -c "$T/gen.cfg" --check >"$T/check1" 2>&1; rc=$?
check "launcher: the generated config passes remsimd --check (rc=$rc)" [ "$rc" = 0 ]
"$RCS" -i 10.1.2.3 -c 5 -V 1d50 --print-config >"$T/sh.cfg" 2>&1
check "launcher: the shell config uses the shell transport" grep -qF 'transport = "shell";' "$T/sh.cfg"

# -c: a number is the client id (osmo), anything else a config file
"$RC" -c "$TOP/etc/client.cfg" --print-config >"$T/c.out" 2>&1; rc=$?
check "launcher: -c FILE.cfg is a config file" eval '[ "$rc" = 0 ] && cmp -s "$T/c.out" "$TOP/etc/client.cfg"'
"$RC" --config "$TOP/etc/client.cfg" -i 1.2.3.4 >/dev/null 2>"$T/mix.err"; rc=$?
check "launcher: a config file plus slot options is a usage error (rc=$rc)" eval '[ "$rc" = 2 ] && grep -q "belong into the file" "$T/mix.err"'
"$BIN/remsimd" -c "$TOP/etc/client.cfg" --check >"$T/check2" 2>&1; rc=$?
check "launcher: etc/client.cfg passes remsimd --check (rc=$rc)" eval '[ "$rc" = 0 ] && grep -q "usbslot/1" "$T/check2"'

# usbslot: the example config's slot 1, and config errors with file:line
cat >"$T/bad.cfg" <<'EOC'
client = {
  server_port = 9998;
  transport = "serial";
};
EOC
"$BIN/usbslot" --hub ipc://"$T"/none --name usbslot/0 --config "$T/bad.cfg" >"$T/bad.out" 2>&1; rc=$?
check "usbslot: a bad transport names file:line (rc=$rc)" eval '[ "$rc" = 2 ] && grep -q "bad.cfg:3: .transport. must be" "$T/bad.out"'
"$BIN/usbslot" --hub ipc://"$T"/none --name usbslot/0 -- --server-port 0 >"$T/bad2.out" 2>&1; rc=$?
check "usbslot: a bad option value is a usage error (rc=$rc)" eval '[ "$rc" = 2 ] && grep -q "bad value .0. for --server-port" "$T/bad2.out"'
# the bulk-IN transfer count (issue 14): launcher option, config key, range
"$RC" --sim "$T/x.sock" --usb-bulk-in 1 --print-config >"$T/bi.cfg" 2>&1; rc=$?
check "launcher: --usb-bulk-in 1 -> bulk_in_transfers = 1 (rc=$rc)" grep -qF 'bulk_in_transfers = 1;' "$T/bi.cfg"
"$RC" --usb-bulk-in 0 --print-config >/dev/null 2>"$T/bi0.err"; rc=$?
check "launcher: --usb-bulk-in 0 is a usage error (rc=$rc)" eval '[ "$rc" = 2 ] && grep -q "bad value .0. for --usb-bulk-in: a whole number 1..32" "$T/bi0.err"'
printf 'client = {\n  usb = {\n    bulk_in_transfers = 33;\n  };\n};\n' >"$T/bi.cfg2"
"$BIN/usbslot" --hub ipc://"$T"/none --name usbslot/0 --config "$T/bi.cfg2" >"$T/bi2.out" 2>&1; rc=$?
check "usbslot: bulk_in_transfers out of 1..32 names file:line (rc=$rc)" \
	eval '[ "$rc" = 2 ] && grep -q "bi.cfg2:3: " "$T/bi2.out"'
"$BIN/usbslot" --help >"$T/uh" 2>&1; rc=$?
check "usbslot: --help exits 0 and lists the slot options" eval '[ "$rc" = 0 ] && grep -q -- "--transport T" "$T/uh"'
finish
