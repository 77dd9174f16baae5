#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# xdpbridge tun end to end (root): a TUN in namespace B, routed to from namespace A through B's veth.
#
#   A: va 198.18.7.1/24 2001:2:7::1/64 <==veth, 2 queues==> vb 198.18.7.2/24 2001:2:7::2/64 [B]
#      route 198.18.8.0/24, 2001:2:8::/64 via B         xdpbridge tun vb --tun tun0
#                                                        tun0 198.18.8.2/24 2001:2:8::2/64
#   B routes what tun0's addresses send back into tun0 (a rule "from 198.18.8.2"), so replies
#   cross the bridge too: tun0 -> vb, with vb's MAC and A's from B's neighbour table.
#
#   1. start-up: tun0 created with vb's MTU and 2 queues, up, one worker per queue, the steering
#      program on vb, the neighbour table read;
#   2. 20 single IPv4 and 20 single IPv6 pings A -> tun0's addresses, each answered; pings sent
#      from cpu 0 and from cpu 1 (va's XPS maps cpu i to queue i) reach both of vb's queues, and
#      each worker carries its queue's (per-queue counters);
#   3. iperf3 TCP A -> tun0 and back (-R), IPv4, 3 s each, and IPv6 A -> tun0, the rates in the log;
#   4. 100,000 sequence-numbered UDP datagrams A -> tun0 at 25,000/s: each once, intact; then
#      UDP_SEGMENT senders (20 datagrams of 1000 bytes per send, 20,000 each): A -> tun0 over IPv4
#      and IPv6 (A's host cuts them, the bridge joins them again: in_super_packets grows) and
#      tun0 -> A (tun0 hands the bridge USO super-packets, which it cuts: super_packets grows),
#      every datagram once and intact;
#   5. 1500-byte packets pass both ways (ping -s 1472 -M do, ping -6 -s 1452 -M do); tun0's MTU
#      raised to 2000: a 1628-byte packet from tun0 is dropped and counted (oversize), never sent;
#   6. SIGINT: exit 0, the JSON summary adds up; ARP/ND went to the kernel (arp_nd > 0); no XDP
#      program left on vb; tun0 gone;
#   7. --match dst=198.18.8.0/24 --match dst=2001:2:8::/64: tun0 answers through the bridge, and
#      pings to vb's own addresses (198.18.7.2, 2001:2:7::2) still reach B's stack while the bridge
#      runs (the program counts them as no_match), and SIGHUP stops it cleanly; then --peer-mac
#      A's MAC without a neighbour table, and --no-offload (TCP from tun0 cut by the host, not by
#      the bridge).
#   Offloads are on by default: step 6 also checks that TCP from tun0 came as super-packets.
#
# Namespaces xst<run>-<pid>-{a,b}; everything is removed on exit (trap).  Exit 0 pass, 1 fail,
# 77 skip (not root).  About 35 s.
set -u

tun_lib() {
	local d i
	d=$(cd "$(dirname "$0")" && pwd)
	for ((i = 0; i < 6; i++)); do
		[ -f "$d/tests/integ/tunlab.sh" ] && { echo "$d/tests/integ/tunlab.sh"; return 0; }
		d=$(dirname "$d")
	done
	[ -f "$PWD/tests/integ/tunlab.sh" ] && { echo "$PWD/tests/integ/tunlab.sh"; return 0; }
	return 1
}
LIB=$(tun_lib) || { echo "FAIL it_tun: tests/integ/tunlab.sh not found above $(dirname "$0") or in $PWD"; exit 1; }
# shellcheck source=tunlab.sh
. "$LIB"
tun_require it_tun
trap tun_cleanup EXIT
trap 'exit 1' INT TERM

# B's side of the routed topology, once tun0 exists: its addresses, and replies from them into it.
tun_addrs() {
	ip -n "$NB" addr add 198.18.8.2/24 dev tun0 &&
	ip -n "$NB" addr add 2001:2:8::2/64 dev tun0 nodad &&
	ip -n "$NB" rule add from 198.18.8.2 lookup 100 &&
	ip -n "$NB" route add default dev tun0 table 100 &&
	ip -n "$NB" -6 rule add from 2001:2:8::2 lookup 100 &&
	ip -n "$NB" -6 route add default dev tun0 table 100
}

say "topology: $NA -- $NB"
tun_topo 2 || { echo "FAIL: cannot build the topology"; exit 1; }
ip -n "$NB" addr add 198.18.7.2/24 dev vb &&
ip -n "$NB" addr add 2001:2:7::2/64 dev vb nodad &&
ip -n "$NA" route add 198.18.8.0/24 via 198.18.7.2 &&
ip -n "$NA" -6 route add 2001:2:8::/64 via 2001:2:7::2 || { echo "FAIL: cannot address the topology"; exit 1; }
# B learns A's MAC the usual way (A resolves its gateway), before the bridge takes IP away from B's stack.
nsx "$NA" ping -n -c 1 -W 2 198.18.7.2 >/dev/null && nsx "$NA" ping -n -c 1 -W 2 2001:2:7::2 >/dev/null ||
	{ echo "FAIL: A cannot reach B before the bridge runs"; exit 1; }

bridge_start main tun vb --tun tun0 -j -i 1 || { echo "FAIL: the bridge did not start"; exit 1; }
show "bridge stderr at start-up" "$TMP/main.err"
check "start-up says: bridging vb <-> tun0 on 2 queue(s)" grep -q 'bridging vb <-> tun0 on 2 queue(s)' "$TMP/main.err"
check "tun0 has 2 queues" grep -q 'created tun tun0 with 2 queues' "$TMP/main.err"
check "start-up read vb's neighbour table (A's two addresses at least)" \
	grep -qE "next hops from vb's neighbour table \(([2-9]|[1-9][0-9]+) entries" "$TMP/main.err"
check "tun0 was created with vb's MTU (1500) and is up" \
	eval 'ip -n "$NB" link show dev tun0 | grep -q "mtu 1500" && ip -n "$NB" link show dev tun0 | grep -q "[<,]UP[,>]"'
check "the steering program is on vb" eval 'ip -n "$NB" -d link show dev vb | grep -q "xdpbridge_steer\|prog/xdp"'
tun_addrs || fail "cannot address tun0 and route its replies into it"

say "single echoes"
check "20 single IPv4 pings A -> tun0 (198.18.8.2), each answered" ping_each 20 198.18.8.2
check "20 single IPv6 pings A -> tun0 (2001:2:8::2), each answered" ping_each 20 2001:2:8::2

# Transmit packets sent from cpu i on va's queue i (XPS), so that both of vb's queues get some.
echo 1 | ip netns exec "$NA" tee /sys/class/net/va/queues/tx-0/xps_cpus >/dev/null &&
echo 2 | ip netns exec "$NA" tee /sys/class/net/va/queues/tx-1/xps_cpus >/dev/null || fail "cannot set XPS on va"
ping_cpu() {	# cpu count addr: single pings sent from that cpu, each answered
	local i
	for ((i = 0; i < $2; i++)); do
		taskset -c "$1" ip netns exec "$NA" ping -n -c 1 -W 1 "$3" > "$TMP/ping.out" 2>&1 || return 1
	done
}
check "10 single pings from cpu 0 and 10 from cpu 1, each answered" \
	eval 'ping_cpu 0 10 198.18.8.2 && ping_cpu 1 10 198.18.8.2'
sleep 1.2
PERQ=$(json_last "$TMP/main.out" stats '" ".join(str(q["directions"][0]["received"]) for q in j["queues"])')
echo "  frames received per queue (0, 1): $PERQ"
check "both of vb's queues received frames, each worker delivered its own" \
	json_last "$TMP/main.out" stats 'all(q["directions"][0]["received"] > 0 and q["directions"][0]["delivered"] == q["directions"][0]["received"] for q in j["queues"]) or exit(1)'

say "iperf3 TCP, 3 s each"
check "iperf3 TCP A -> tun0" iperf_tcp "$NA" "$NB" 198.18.8.2 "A -> tun0"
check "iperf3 TCP tun0 -> A (reverse)" iperf_tcp "$NA" "$NB" 198.18.8.2 "tun0 -> A" -R
check "iperf3 TCP A -> tun0 over IPv6" iperf_tcp "$NA" "$NB" 2001:2:8::2 "A -> tun0, IPv6"

say "100000 sequence-numbered UDP datagrams A -> tun0 at 25000/s"
check "A -> tun0: 100000 datagrams, each once and intact" udp_seq "$NA" "$NB" 198.18.8.2 100000 25000

say "UDP_SEGMENT senders: A's host cuts, the bridge joins; the bridge cuts what tun0 hands it"
JOINED=$(json_last "$TMP/main.out" stats 'j["directions"][0]["in_super_packets"]')
check "A -> tun0: 20000 datagrams of 1000 bytes, 20 per UDP_SEGMENT send, each once and intact" \
	eval 'UDPSEQ_SIZE=1000 UDPSEQ_GSO=20 udp_seq "$NA" "$NB" 198.18.8.2 20000 20000'
check "A -> tun0 over IPv6: 20000 datagrams of 1000 bytes, each once and intact" \
	eval 'UDPSEQ_SIZE=1000 UDPSEQ_GSO=20 udp_seq "$NA" "$NB" 2001:2:8::2 20000 20000'
check "the bridge joined them into super-packets towards tun0 (in_super_packets was $JOINED)" \
	json_wait_change "$TMP/main.out" stats 'j["directions"][0]["in_super_packets"]' 3 "$JOINED"
CUT=$(json_last "$TMP/main.out" stats 'j["directions"][1]["super_packets"]')
check "tun0 -> A: 20000 datagrams of 1000 bytes sent 20 per UDP_SEGMENT send from tun0's address, each once and intact" \
	eval 'UDPSEQ_SIZE=1000 UDPSEQ_GSO=20 udp_seq "$NB" "$NA" 198.18.7.1 20000 20000 198.18.8.2'
check "they left tun0 as super-packets the bridge cut (USO; super_packets was $CUT)" \
	json_wait_change "$TMP/main.out" stats 'j["directions"][1]["super_packets"]' 3 "$CUT"

say "packets at the MTU, and longer ones from the TUN"
check "1500-byte IPv4 packets pass both ways" ping_each 3 198.18.8.2 -s 1472 -M do
check "1500-byte IPv6 packets pass both ways" ping_each 3 2001:2:8::2 -s 1452 -M do
ip -n "$NB" link set dev tun0 mtu 2000
sleep 1.2
BEFORE=$(json_last "$TMP/main.out" stats 'j["directions"][1]["dropped"]["oversize"]')
nsx "$NB" ping -n -c 1 -W 1 -I 198.18.8.2 -s 1600 -M do 198.18.7.1 > "$TMP/big.out" 2>&1
RC=$?
check "a 1628-byte packet from tun0 (MTU 2000) does not reach A (ping exit $RC)" [ "$RC" -ne 0 ]
check "tun0 -> vb counted it as oversize (was $BEFORE)" \
	json_wait_change "$TMP/main.out" stats 'j["directions"][1]["dropped"]["oversize"]' 3 "$BEFORE"
ip -n "$NB" link set dev tun0 mtu 1500
check "after tun0's MTU is back to 1500, pings pass again" ping_until 10 198.18.8.2

say "SIGINT"
bridge_stop "$BR_PID" INT
check "exit 0 after SIGINT (got $RC)" [ "$RC" -eq 0 ]
show "bridge stderr" "$TMP/main.err"
check "the final summary adds up in both directions, nothing in flight" summary_check "$TMP/main.out" SIGINT
check "offloads: TCP from tun0 came as super-packets the bridge cut ($(json_last "$TMP/main.out" summary 'j["directions"][1]["super_packets"]'))" \
	eval '[ "$(json_last "$TMP/main.out" summary "j[\"directions\"][1][\"super_packets\"]")" -gt 0 ]'
check "ARP and neighbour discovery went to the kernel (xdp arp_nd > 0)" \
	eval '[ "$(json_last "$TMP/main.out" summary "j[\"xdp\"][\"arp_nd\"]")" -gt 0 ]'
check "no XDP program left on vb" eval '! has_xdp "$NB" vb'
check "tun0 went away with the bridge" eval '! ip -n "$NB" link show dev tun0 >/dev/null 2>&1'

say "--match: only tun0's prefixes; the host keeps the rest"
bridge_start match tun vb --tun tun0 -j -i 1 --match dst=198.18.8.0/24 --match dst=2001:2:8::/64 ||
	fail "the bridge did not start with --match"
tun_addrs || fail "cannot address tun0 again"
check "IPv4 pings A -> tun0 pass through the bridge" ping_each 5 198.18.8.2
check "IPv6 pings A -> tun0 pass through the bridge" ping_each 5 2001:2:8::2
check "pings A -> vb's own IPv4 address reach B's stack while the bridge runs" ping_each 5 198.18.7.2
check "pings A -> vb's own IPv6 address too" ping_each 5 2001:2:7::2
sleep 1.2
echo "  xdp: $(json_last "$TMP/match.out" stats 'j["xdp"]')"
check "the program passed those to the kernel as no_match (>= 10)" \
	eval '[ "$(json_last "$TMP/match.out" stats "j[\"xdp\"][\"no_match\"]")" -ge 10 ]'
check "and steered the others (>= 10)" eval '[ "$(json_last "$TMP/match.out" stats "j[\"xdp\"][\"steered\"]")" -ge 10 ]'
bridge_stop "$BR_PID" HUP
check "SIGHUP (a closed terminal) stops it cleanly too: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "its summary adds up, stopped by SIGHUP" summary_check "$TMP/match.out" SIGHUP
check "no XDP program left on vb after SIGHUP" eval '! has_xdp "$NB" vb'

say "--peer-mac: no neighbour table; --no-offload"
bridge_start peer tun vb --tun tun0 -j --peer-mac "$A_MAC" --no-offload || fail "the bridge did not start with --peer-mac"
tun_addrs || fail "cannot address tun0 again"
check "it says nothing about a neighbour table" eval '! grep -q "neighbour table" "$TMP/peer.err"'
check "it says: no offloads" grep -q 'no offloads' "$TMP/peer.err"
check "IPv4 and IPv6 pings A -> tun0 pass" eval 'ping_each 5 198.18.8.2 && ping_each 5 2001:2:8::2'
check "iperf3 TCP tun0 -> A without offloads" iperf_tcp "$NA" "$NB" 198.18.8.2 "tun0 -> A, no offloads" -R
bridge_stop "$BR_PID" TERM
check "exit 0 after SIGTERM (got $RC)" [ "$RC" -eq 0 ]
check "its summary adds up" summary_check "$TMP/peer.out" SIGTERM
check "no XDP program left on vb" eval '! has_xdp "$NB" vb'

[ "$fails" -eq 0 ] && { echo "PASS it_tun"; exit 0; }
echo "FAIL it_tun: $fails check(s) failed"
exit 1
