#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# st2_umockdev.sh: the libusb SIMtrace2 transport (common/st2/st2_usb.c) against a
# fake SIMtrace2 (1d50:60e3, cardem interface 0: OUT 0x04, IN 0x85, IRQ 0x86)
# emulated by umockdev: device description + usbmon pcap replay (see
# docs/usb-testing.md).  st2host --usb opens it through libusb, must keep 4
# bulk-IN transfers in flight at all times, run one TPDU and see the unplug;
# then the same with a PTS indication completing right before the header.
# (The replay has no device-side queue, so the stall with one IN transfer
# is shown with st2sim only: client_stall.sh.)
. "$(dirname "$0")/../lib/common.sh"

if ! command -v umockdev-run >/dev/null 2>&1; then
	skip "st2_umockdev: umockdev-run not installed"; finish
fi
SYS=/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1
# the fake board: a SIMtrace2 (1d50:60e3) at USB path 1-1, address 2
cp "$TOP/tests/tools/st2host/simtrace2.umockdev" "$T/st2.umockdev"
python3 "$TOP/tests/tools/st2host/st2_usbmon_pcap.py" "$T/st2.pcap" unplug

# umockdev preloads its library; a sanitizer build must tolerate that
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
timeout 30 umockdev-run --device "$T/st2.umockdev" --pcap "$SYS=$T/st2.pcap" -- \
	"$TBIN/st2host" --usb --no-dev-mem --min-in-flight 4 --duration 10 >"$T/host.log" 2>&1
rc=$?
grep -v read_sysfs_attr "$T/host.log" | sed 's/^/# /'
check "st2_umockdev: st2host exit status 0 (rc=$rc)" [ "$rc" = 0 ]
check "st2_umockdev: device found and interface claimed" grep -q "interface 0 claimed: OUT 0x04 IN 0x85 IRQ 0x86, 4 bulk-IN" "$T/host.log"
check "st2_umockdev: 4 bulk-IN transfers pending throughout" grep -q "in_flight_min=4 in_flight_max=4" "$T/host.log"
check "st2_umockdev: CONFIG answer on bulk IN" grep -q "board config: features 0x00000001" "$T/host.log"
check "st2_umockdev: STATUS IRQs, edges only" grep -q "status_reports=2" "$T/host.log"
check "st2_umockdev: TPDU over libusb" grep -q "host R-APDU #1: 90 00" "$T/host.log"
check "st2_umockdev: unplug detected" grep -q "gone=unplugged" "$T/host.log"

# the PTS burst: PTS indication and TPDU header complete back to back
python3 "$TOP/tests/tools/st2host/st2_usbmon_pcap.py" "$T/burst.pcap" unplug burst
timeout 30 umockdev-run --device "$T/st2.umockdev" --pcap "$SYS=$T/burst.pcap" -- \
	"$TBIN/st2host" --usb --no-dev-mem --min-in-flight 4 --duration 10 >"$T/burst.log" 2>&1
rc=$?
check "st2_umockdev: burst: exit status 0 (rc=$rc)" [ "$rc" = 0 ]
check "st2_umockdev: burst: PTS indication and the header right after it both processed" \
	grep -q "capdus=1 rapdus=1 .* pts=1 .*in_flight_min=4 in_flight_max=4" "$T/burst.log"

# one bulk-IN transfer (--in-transfers 1): the transport keeps exactly one
# and warns; the replay has no device-side queue, so nothing can be lost
# here: the loss itself is shown with st2sim (client_stall.sh)
python3 "$TOP/tests/tools/st2host/st2_usbmon_pcap.py" "$T/in1.pcap" unplug burst in1
timeout 30 umockdev-run --device "$T/st2.umockdev" --pcap "$SYS=$T/in1.pcap" -- \
	"$TBIN/st2host" --usb --no-dev-mem --in-transfers 1 --duration 10 >"$T/in1.log" 2>&1
rc=$?
check "st2_umockdev: one IN transfer: exit status 0 (rc=$rc)" [ "$rc" = 0 ]
check "st2_umockdev: one IN transfer: kept exactly one, with the OS#4409 warning" \
	eval 'grep -q "in_flight_min=1 in_flight_max=1" "$T/in1.log" && grep -q "only 1 bulk-IN transfer kept submitted" "$T/in1.log"'
check "st2_umockdev: one IN transfer: the replayed burst is processed" grep -q "capdus=1 rapdus=1 .* pts=1 " "$T/in1.log"
finish
