#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# xdpbridge fwd end to end (root): a bump in the wire between two namespaces.
#
#   gen: g0 198.18.1.1 <=veth=> p0 [fwd: xdpbridge fwd p0 p1 -j] p1 <=veth=> s0 198.18.1.2 :sink
#
# One bridge runs through the whole script; independent programs check what it does:
#   1. start-up: stderr names the mode and "forwarding p0 <-> p1 on 1 queue(s)";
#   2. one `ping -c 1 -W 2` gen -> sink: a lone frame crosses both ways (partial batches flushed);
#   3. 200,000 sequence-numbered frames of 60..1514 bytes gen -> sink at 50 kpps (it_fwd_seq: AF_XDP
#      sender on g0, AF_XDP verifier on s0): all arrive byte for byte, once each, in order; then
#      the same sink -> gen;
#   4. xdpsock-ping -> xdpsock-echo, 20,000 frames at 20 kpps: every reply intact (both ways at once);
#   5. iperf3 TCP gen -> sink for 3 s, throughput in the log, no checksum error at the sink (the
#      senders' TX checksum offload is turned off first: on veth, a frame that crosses any XDP
#      forwarder keeps the partial checksum the sender's stack left for the "hardware");
#   6. overload: AF_XDP senders with no rate limit in both directions for 3 s;
#   7. SIGINT: exit 0 after a drain; the final JSON summary (python3) adds up per direction
#      (received = forwarded + oversize + invalid + held, held = in flight = 0, forwarded = sent)
#      and agrees with the veth counters of p0 and p1 (frames that arrived = received + kernel
#      drops; frames sent = transmitted + dropped by the veth); no XDP program left on p0/p1.
#
# Namespaces xst<run>-<pid>-{gen,fwd,sink}; addresses 198.18.1.0/24 only; everything is removed on
# exit (trap).  Exit 0 pass, 1 fail, 77 skip (not root).  About 30 s (longer under ASan).
set -u

# The helpers live in the source tree (the runner copies only it_*.sh into the build tree).
fwd_lib() {
	local d i
	d=$(cd "$(dirname "$0")" && pwd)
	for ((i = 0; i < 6; i++)); do
		[ -f "$d/tests/integ/fwdlab.sh" ] && { echo "$d/tests/integ/fwdlab.sh"; return 0; }
		d=$(dirname "$d")
	done
	[ -f "$PWD/tests/integ/fwdlab.sh" ] && { echo "$PWD/tests/integ/fwdlab.sh"; return 0; }
	return 1
}
LIB=$(fwd_lib) || { echo "FAIL it_fwd: tests/integ/fwdlab.sh not found above $(dirname "$0") or in $PWD"; exit 1; }
# shellcheck source=fwdlab.sh
. "$LIB"
trap fwd_cleanup EXIT
fwd_require it_fwd
trap 'exit 1' INT TERM

say "topology: $GEN -- $FWD -- $SINK"
fwd_topo 1 || { echo "FAIL: cannot build the topology"; exit 1; }
bridge_start main -j || { echo "FAIL: the bridge did not start"; exit 1; }
show "bridge stderr at start-up" "$TMP/main.err"
check "start-up names the copy mode" grep -qiE 'copy|zero-copy' "$TMP/main.err"
check "start-up says: forwarding p0 <-> p1 on 1 queue(s)" grep -q 'forwarding p0 <-> p1 on 1 queue(s)' "$TMP/main.err"
check "XDP program on p0 and p1" eval 'has_xdp "$FWD" p0 && has_xdp "$FWD" p1'

say "one ICMP echo"
if ping_once; then ok "ping -c 1 -W 2 gen -> sink: $(grep -o 'time=[0-9.]* ms' "$TMP/ping.out")"; else
	fail "ping -c 1 -W 2 gen -> sink"
	show ping "$TMP/ping.out"
fi

say "200000 frames gen -> sink at 50 kpps"
check "gen -> sink: 200000 frames, byte for byte, none lost or duplicated, in order" \
	seq_stream "$GEN" g0 "$SINK" s0 200000 50000
say "200000 frames sink -> gen at 50 kpps"
check "sink -> gen: 200000 frames, byte for byte, none lost or duplicated, in order" \
	seq_stream "$SINK" s0 "$GEN" g0 200000 50000

say "xdpsock-ping -> xdpsock-echo, 20000 frames at 20 kpps"
: > "$TMP/echo.out"
ip netns exec "$SINK" "$BUILD/bin/xdpsock-echo" -d 60 s0 > "$TMP/echo.out" 2>&1 &
EPID=$!
PIDS+=("$EPID")
if wait_for "$TMP/echo.out" 'echoing' 10; then
	nsx "$GEN" timeout 60 "$BUILD/bin/xdpsock-ping" g0 --dst-mac "$SINK_MAC" --src-ip "$GEN_IP" --dst-ip "$SINK_IP" \
		-c 20000 -r 20000 -w 2000 > "$TMP/xping.out" 2>&1
	RC=$?
	sed 's/^/  | /' "$TMP/xping.out"
	check "xdpsock-ping: 20000 replies intact through the bridge both ways (exit $RC)" \
		grep -q 'received 20000, lost 0, corrupted 0' "$TMP/xping.out"
else
	fail "xdpsock-echo did not start"
	show echo "$TMP/echo.out"
fi
stop_pid "$EPID"

say "iperf3 TCP gen -> sink, 3 s"
# Checksums: see tx_csum_off in fwdlab.sh (any XDP forwarder on veth needs this for TCP).
if ! { tx_csum_off "$GEN" g0 && tx_csum_off "$SINK" s0; }; then fail "cannot turn TX checksum offload off on g0/s0"; fi
if command -v iperf3 >/dev/null; then
	: > "$TMP/iperf-s.out"
	ip netns exec "$SINK" iperf3 -s -1 -B "$SINK_IP" --forceflush > "$TMP/iperf-s.out" 2>&1 &
	IPID=$!
	PIDS+=("$IPID")
	if wait_for "$TMP/iperf-s.out" 'listening' 10; then
		nsx "$GEN" timeout 30 iperf3 -c "$SINK_IP" -t 3 --connect-timeout 3000 -J > "$TMP/iperf.json" 2>&1
		RC=$?
		if python3 - "$TMP/iperf.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
if "error" in j:
    print("  iperf3: " + j["error"]); sys.exit(1)
r, s = j["end"]["sum_received"], j["end"]["sum_sent"]
print("  iperf3 TCP gen -> sink through the bridge: %.1f Mbit/s received over %.1f s, %d retransmits"
      % (r["bits_per_second"] / 1e6, r["seconds"], s.get("retransmits", -1)))
sys.exit(0 if r["bits_per_second"] > 0 and r["bytes"] > 0 else 1)
PY
		then ok "iperf3 TCP for 3 s through the bridge (exit $RC)"; else
			fail "iperf3 TCP for 3 s through the bridge (exit $RC)"
			tail -n 20 "$TMP/iperf.json" | sed 's/^/  | /'
		fi
	else
		fail "the iperf3 server did not start"
		show iperf3 "$TMP/iperf-s.out"
	fi
	stop_pid "$IPID"
	check "no TCP segment reached the sink with a bad checksum (TcpInCsumErrors $(tcp_csum_errors))" \
		[ "$(tcp_csum_errors)" = 0 ]
else
	fail "iperf3 is missing ('make deps' installs it)"
fi

say "overload: no rate limit, both directions, 3 s"
ip netns exec "$GEN" "$SEQ" send g0 --smac "$GEN_MAC" --dmac "$SINK_MAC" --sip "$GEN_IP" --dip 198.18.1.3 \
	--rate 0 --secs 3 --len 64 --dport 7000 > "$TMP/over-a.out" 2>&1 &
OA=$!
ip netns exec "$SINK" "$SEQ" send s0 --smac "$SINK_MAC" --dmac "$GEN_MAC" --sip "$SINK_IP" --dip 198.18.1.4 \
	--rate 0 --secs 3 --len 64 --dport 7000 > "$TMP/over-b.out" 2>&1 &
OB=$!
PIDS+=("$OA" "$OB")
wait_exit "$OA" 20 || stop_pid "$OA"
wait_exit "$OB" 20 || stop_pid "$OB"
grep -h 'sent .* frames in' "$TMP/over-a.out" "$TMP/over-b.out" | sed 's/^/  | /'
check "the bridge survived the overload" kill -0 "$BR_PID"
sleep 0.5

say "SIGINT"
bridge_stop "$BR_PID" INT
check "exit 0 after SIGINT (got $RC)" [ "$RC" -eq 0 ]
VETH=$(veth_pair_counts)
show "bridge stderr" "$TMP/main.err"
echo "  --- final summary (last stdout line)"
tail -n 1 "$TMP/main.out" | cut -c1-400 | sed 's/^/  | /'
check "final summary adds up per direction and matches the veth counters" summary_check "$TMP/main.out" SIGINT "$VETH"
check "the overload was real: the kernel counted drops before the RX ring (rx_ring_full, rx_dropped)" python3 -c '
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
d = [j for j in s if j.get("type") == "summary"][-1]["directions"]
sys.exit(0 if sum(x["kernel_dropped"]["rx_ring_full"] + x["kernel_dropped"]["rx_dropped"] for x in d) > 0 else 1)' "$TMP/main.out"
check "no XDP program left on p0" eval '! has_xdp "$FWD" p0'
check "no XDP program left on p1" eval '! has_xdp "$FWD" p1'
link_counters

[ "$fails" -eq 0 ] && { echo "PASS it_fwd"; exit 0; }
echo "FAIL it_fwd: $fails check(s) failed"
exit 1
