#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# xdpbridge fwd on 4 queues (root): every veth end has 4 RX and 4 TX queues.
#
#   gen: g0 198.18.1.1 <=veth x4=> p0 [fwd: xdpbridge fwd p0 p1 -j] p1 <=veth x4=> s0 198.18.1.2 :sink
#
#   1. start-up: "on 4 queue(s)", and one worker line per queue and port (p0 queue N, p1 queue N);
#   2. one stream per queue: it_fwd_seq sends stream q on g0's TX queue q (veth delivers it on p0's
#      RX queue q, the bridge's worker q); the sink has an AF_XDP socket on each of s0's queues:
#      every stream arrives complete, once, in order, byte for byte, on s0's RX queue q (the
#      worker sends on the same queue id); then the same sink -> gen;
#   3. iperf3 -P 4 gen -> sink for 3 s (throughput in the log);
#   4. SIGTERM: exit 0; the final JSON summary adds up per direction and matches the veth
#      counters, and every queue's worker received and forwarded frames in both directions;
#   5. `-d 1`: exit 0 by itself with a summary (reason "duration"); usage errors exit 2;
#   6. SIGTERM in the middle of an overload (no rate limit, 4 queues, both directions): exit 0
#      at once, drained, the summary adds up; no program left behind.
#
# TCP needs the senders' TX checksum offload off on veth with any XDP forwarder (tx_csum_off).
#
# Namespaces xst<run>-<pid>-{gen,fwd,sink}; addresses 198.18.1.0/24 only; everything is removed on
# exit (trap).  Exit 0 pass, 1 fail, 77 skip (not root).  About 20 s.
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
LIB=$(fwd_lib) || { echo "FAIL it_fwd_mq: tests/integ/fwdlab.sh not found above $(dirname "$0") or in $PWD"; exit 1; }
# shellcheck source=fwdlab.sh
. "$LIB"
trap fwd_cleanup EXIT
fwd_require it_fwd_mq
trap 'exit 1' INT TERM
Q=4

say "topology: $GEN -- $FWD -- $SINK, $Q queues per veth end"
fwd_topo "$Q" || { echo "FAIL: cannot build the topology"; exit 1; }
bridge_start mq -j || { echo "FAIL: the bridge did not start"; exit 1; }
show "bridge stderr at start-up" "$TMP/mq.err"
check "start-up says: forwarding p0 <-> p1 on $Q queue(s)" grep -q "forwarding p0 <-> p1 on $Q queue(s)" "$TMP/mq.err"
for ((q = 0; q < Q; q++)); do
	check "a worker for queue $q (p0 queue $q, p1 queue $q)" \
		eval "grep -q 'p0 queue $q:' '$TMP/mq.err' && grep -q 'p1 queue $q:' '$TMP/mq.err'"
done

say "one stream per queue, gen -> sink: $Q x 25000 frames at 40 kpps in all"
check "gen -> sink: every stream complete, once, in order, intact" seq_stream "$GEN" g0 "$SINK" s0 25000 40000 "$Q"
for ((q = 0; q < Q; q++)); do
	check "gen -> sink: stream $q (sent on g0 TX queue $q) arrived on s0 RX queue $q only" \
		grep -qE "stream $q \(port [0-9]+\): ok: .*arrived on RX queue\(s\) $q\$" "$TMP/seq-sink.out"
done
say "one stream per queue, sink -> gen"
check "sink -> gen: every stream complete, once, in order, intact" seq_stream "$SINK" s0 "$GEN" g0 25000 40000 "$Q"
for ((q = 0; q < Q; q++)); do
	check "sink -> gen: stream $q arrived on g0 RX queue $q only" \
		grep -qE "stream $q \(port [0-9]+\): ok: .*arrived on RX queue\(s\) $q\$" "$TMP/seq-sink.out"
done

say "iperf3 -P 4 TCP gen -> sink, 3 s"
# Checksums: see tx_csum_off in fwdlab.sh (any XDP forwarder on veth needs this for TCP).
if ! { tx_csum_off "$GEN" g0 && tx_csum_off "$SINK" s0; }; then fail "cannot turn TX checksum offload off on g0/s0"; fi
if command -v iperf3 >/dev/null; then
	: > "$TMP/iperf-s.out"
	ip netns exec "$SINK" iperf3 -s -1 -B "$SINK_IP" --forceflush > "$TMP/iperf-s.out" 2>&1 &
	IPID=$!
	PIDS+=("$IPID")
	if wait_for "$TMP/iperf-s.out" 'listening' 10; then
		nsx "$GEN" timeout 30 iperf3 -c "$SINK_IP" -P 4 -t 3 --connect-timeout 3000 -J > "$TMP/iperf.json" 2>&1
		RC=$?
		if python3 - "$TMP/iperf.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
if "error" in j:
    print("  iperf3: " + j["error"]); sys.exit(1)
r = j["end"]["sum_received"]
streams = [s["receiver"]["bits_per_second"] / 1e6 for s in j["end"]["streams"]]
print("  iperf3 -P 4 TCP gen -> sink through the bridge: %.1f Mbit/s in all (%s per stream)"
      % (r["bits_per_second"] / 1e6, ", ".join("%.1f" % s for s in streams)))
sys.exit(0 if r["bytes"] > 0 and len(streams) == 4 and min(streams) > 0 else 1)
PY
		then ok "iperf3 -P 4 for 3 s through the bridge (exit $RC)"; else
			fail "iperf3 -P 4 for 3 s through the bridge (exit $RC)"
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
sleep 0.3

say "SIGTERM"
bridge_stop "$BR_PID" TERM
check "exit 0 after SIGTERM (got $RC)" [ "$RC" -eq 0 ]
VETH=$(veth_pair_counts)
check "final summary adds up per direction and matches the veth counters" summary_check "$TMP/mq.out" SIGTERM "$VETH"
check "every queue's worker forwarded frames both ways" python3 - "$TMP/mq.out" "$Q" <<'PY'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
s = [j for j in s if j.get("type") == "summary"][-1]
ok = len(s["queues"]) == int(sys.argv[2])
for q in s["queues"]:
    p = {x["ifname"]: x for x in q["ports"]}
    print("  queue %d: p0 received %d, forwarded %d; p1 received %d, forwarded %d"
          % (q["queue"], p["p0"]["rx"], p["p0"]["forwarded"], p["p1"]["rx"], p["p1"]["forwarded"]))
    ok = ok and min(p["p0"]["forwarded"], p["p1"]["forwarded"]) >= 25000
sys.exit(0 if ok else 1)
PY
check "no XDP program left on p0 and p1" eval '! has_xdp "$FWD" p0 && ! has_xdp "$FWD" p1'

say "--duration 1, and usage errors"
nsx "$FWD" timeout 20 "$BR" fwd p0 p1 -d 1 -j > "$TMP/dur.out" 2> "$TMP/dur.err"
RC=$?
check "xdpbridge fwd -d 1: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "its summary: reason duration, drained, adds up" summary_check "$TMP/dur.out" duration
for args in "p0" "p0 p1 -m bogus" "p0 p1 --ring 1000" "p0 p1 --no-such-option"; do
	# shellcheck disable=SC2086
	nsx "$FWD" timeout 20 "$BR" fwd $args > /dev/null 2> "$TMP/usage.err"
	RC=$?
	check "xdpbridge fwd $args: usage error, exit 2 (got $RC: $(head -n 1 "$TMP/usage.err"))" [ "$RC" -eq 2 ]
done
check "no XDP program left on p0 and p1" eval '! has_xdp "$FWD" p0 && ! has_xdp "$FWD" p1'

say "SIGTERM under overload: no rate limit, 4 queues, both directions"
bridge_start load -j || fail "the bridge did not start again"
ip netns exec "$GEN" "$SEQ" send g0 --smac "$GEN_MAC" --dmac "$SINK_MAC" --sip "$GEN_IP" --dip 198.18.1.3 \
	--queues "$Q" --rate 0 --secs 3 --len 64 --dport 7000 > "$TMP/over-a.out" 2>&1 &
OA=$!
ip netns exec "$SINK" "$SEQ" send s0 --smac "$SINK_MAC" --dmac "$GEN_MAC" --sip "$SINK_IP" --dip 198.18.1.4 \
	--queues "$Q" --rate 0 --secs 3 --len 64 --dport 7000 > "$TMP/over-b.out" 2>&1 &
OB=$!
PIDS+=("$OA" "$OB")
sleep 1.5
T0=$(date +%s%N)
bridge_stop "$BR_PID" TERM
check "exit 0 after SIGTERM under load, in $(( ($(date +%s%N) - T0) / 1000000 )) ms (got $RC)" [ "$RC" -eq 0 ]
check "its summary: drained, adds up per direction" summary_check "$TMP/load.out" SIGTERM
check "no XDP program left on p0 and p1 (frames still arriving)" eval '! has_xdp "$FWD" p0 && ! has_xdp "$FWD" p1'
wait_exit "$OA" 20 || stop_pid "$OA"
wait_exit "$OB" 20 || stop_pid "$OB"

[ "$fails" -eq 0 ] && { echo "PASS it_fwd_mq"; exit 0; }
echo "FAIL it_fwd_mq: $fails check(s) failed"
exit 1
