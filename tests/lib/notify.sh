# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/notify.sh: a stand-in for systemd's notification socket, to see
# what sd_notify() sends (remsimd's READY=1/STOPPING=1).  Source after
# common.sh:
#     notify_listen          # sets NOTIFY_SOCKET=$T/notify.sock (exported)
#     wait_log "$T/notify.txt" '^READY=1$' 15
notify_listen() {
	export NOTIFY_SOCKET=$T/notify.sock
	spawn notify python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as out:
    while True:
        out.write(s.recv(4096).decode() + "\n")
        out.flush()
' "$NOTIFY_SOCKET" "$T/notify.txt"
	wait_for 10 test -S "$NOTIFY_SOCKET"
}
