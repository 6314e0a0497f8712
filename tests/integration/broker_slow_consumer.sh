#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# broker_slow_consumer.sh: a TCP peer that sends RSPRO frames but never reads
# the echoes is a slow consumer: the broker queues at most tcp_outbuf_max_kib
# for it, then closes that connection with a log line naming the reason; the
# broker's memory stays bounded and another connection keeps working.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/broker_common.bash"

P_BK=$(free_port)
cat >"$T/role.cfg" <<EOF
run_dir = "$RUN";
broker = {
  listeners = ( { name = "bk"; bind = "127.0.0.1"; port = $P_BK; side = "bankd"; actor = "echo"; } );
  tcp_outbuf_max_kib = 16;
};
EOF
check "broker starts" start_broker broker "$T/role.cfg"
check "echo actor starts" start_echo echo
spawn witness "${PEER[@]}" --port "$P_BK" echo:3 touch:"$T/w1" wait:"$T/w2":60 echo:3
WITNESS=$SPAWNED_PID
wait_for 10 test -e "$T/w1"

# the flooder: tiny receive buffer, writes frames, never reads
python3 - "$P_BK" >"$T/flood.out" 2>&1 <<'PY'
import socket, sys, time
pdu = bytes.fromhex("3031800102810100a229ac2730060201170201003006020101020105"
                    "300c0101000101000101000101000407a0a40000023f00")
frame = (len(pdu) + 1).to_bytes(2, "big") + b"\xee\x07" + pdu
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.settimeout(2.0)
sent, end = 0, time.monotonic() + 20
try:
    while time.monotonic() < end:
        s.sendall(frame * 64)
        sent += 64
    print("still open after %d frames" % sent)
except (ConnectionResetError, BrokenPipeError) as e:
    print("closed by the broker after %d frames (%s)" % (sent, e.__class__.__name__))
except socket.timeout:
    # the broker stopped reading us: it must close us soon (bounded: 15 s)
    closed = None
    s.settimeout(1.0)
    until = time.monotonic() + 15
    while closed is None and time.monotonic() < until:
        try:
            s.sendall(frame)
        except (ConnectionResetError, BrokenPipeError) as e:
            closed = e.__class__.__name__
        except socket.timeout:
            time.sleep(0.2)
    if closed:
        print("closed by the broker after %d frames (%s)" % (sent, closed))
    else:
        print("still open after %d frames (timeout)" % sent)
PY
cat "$T/flood.out"
check "the slow consumer's connection is closed" grep -q '^closed by the broker' "$T/flood.out"
check "the reason is logged with the connection" \
	wait_log "$T/broker.log" '\[conn [0-9]+ 127\.0\.0\.1:[0-9]+ -> echo\] closed: slow consumer: [0-9]+ octets unsent \(limit 16384\)' 5
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$BROKER_PID/status")
echo "# broker RSS after the flood: ${rss} KiB"
check "the broker's memory stayed bounded (${rss} KiB < 65536)" [ "${rss:-999999}" -lt 65536 ]
touch "$T/w2"
wait "$WITNESS"; rc=$?
check "the other connection kept working (rc=$rc)" [ "$rc" = 0 ]
check "broker still running" kill -0 "$BROKER_PID"
sanitizer_check
finish
