#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# xdpbridge tap end to end (root): a TAP in namespace B, reached from namespace A through B's veth.
#
#   A: va 198.18.7.1/24 <==veth==> vb [B: xdpbridge tap vb --tap tap0] tap0 198.18.7.2/24
#
# One bridge runs through the whole script; the kernel's own programs check what it does:
#   1. start-up: the TAP created with vb's MTU and up, the steering program on vb;
#   2. 20 single `ping -c 1 -W 1` A -> tap0, each answered (a lone frame is never stuck in a batch;
#      ARP crosses too: the TAP answers its own);
#   3. iperf3 TCP A -> tap0 and tap0 -> A for 3 s each, the rate in the log;
#   4. 100,000 sequence-numbered UDP datagrams of 24..1423 bytes A -> tap0 at 25,000/s, and
#      100,000 tap0 -> A: each arrives once, intact (python3 sockets at both ends);
#   5. frames at the MTU pass (ping -s 1472 -M do, both ways); tap0's MTU raised to 2000: a
#      1600-byte echo from B to A is dropped and counted as oversize (tap0 -> vb), never sent;
#   6. vb's MTU to 1400 while running: tap0's follows, 1400-byte packets pass; back to 1500;
#   7. SIGINT: exit 0, the JSON summary adds up in both directions, nothing in flight; TCP from
#      tap0 came as super-packets the bridge cut (offloads, on by default); no XDP program left on
#      vb; tap0 gone with the bridge;
#   8. --match dst=198.18.7.0/24 with vb also addressed (198.18.9.2): A reaches tap0 through the
#      bridge (ARP for 198.18.7.2 answered by the TAP with its own MAC) and vb's own address
#      through B's stack (ARP answered by vb), the program counting no_match and arp_nd;
#   9. a persistent multi-queue TAP ('ip tuntap add ... multi_queue') is attached, not created,
#      and survives the bridge; devices that are not the bridge's to use are refused in exact
#      words that say what they are and suggest a new name, never 'ip link del', and stay as they
#      were: a single-queue persistent TAP, a persistent TUN, the loopback device.
#
# Namespaces xst<run>-<pid>-{a,b}; everything is removed on exit (trap).  Exit 0 pass, 1 fail,
# 77 skip (not root).  About 30 s.
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
LIB=$(tun_lib) || { echo "FAIL it_tap: tests/integ/tunlab.sh not found above $(dirname "$0") or in $PWD"; exit 1; }
# shellcheck source=tunlab.sh
. "$LIB"
tun_require it_tap
trap tun_cleanup EXIT
trap 'exit 1' INT TERM

say "topology: $NA -- $NB"
tun_topo 1 || { echo "FAIL: cannot build the topology"; exit 1; }
bridge_start main tap vb --tap tap0 -j -i 1 || { echo "FAIL: the bridge did not start"; exit 1; }
show "bridge stderr at start-up" "$TMP/main.err"
check "start-up says: bridging vb <-> tap0 on 1 queue(s)" grep -q 'bridging vb <-> tap0 on 1 queue(s)' "$TMP/main.err"
check "tap0 was created with vb's MTU (1500) and is up" \
	eval 'ip -n "$NB" link show dev tap0 | grep -q "mtu 1500" && ip -n "$NB" link show dev tap0 | grep -q "[<,]UP[,>]"'
check "the steering program is on vb" eval 'ip -n "$NB" -d link show dev vb | grep -q "xdpbridge_steer\|prog/xdp"'
ip -n "$NB" addr add 198.18.7.2/24 dev tap0
TAP_MAC=$(ip -n "$NB" -j link show dev tap0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')

say "single echoes A -> tap0"
check "20 single pings A -> tap0, each answered within 1 s" ping_each 20 198.18.7.2
check "A learned tap0's own MAC ($TAP_MAC): ARP crossed the bridge both ways" \
	eval 'ip -n "$NA" neigh show 198.18.7.2 | grep -qi "$TAP_MAC"'

say "iperf3 TCP, 3 s each way"
check "iperf3 TCP A -> tap0" iperf_tcp "$NA" "$NB" 198.18.7.2 "A -> tap0"
check "iperf3 TCP tap0 -> A (reverse)" iperf_tcp "$NA" "$NB" 198.18.7.2 "tap0 -> A" -R

say "100000 sequence-numbered UDP datagrams each way at 25000/s"
check "A -> tap0: 100000 datagrams, each once and intact" udp_seq "$NA" "$NB" 198.18.7.2 100000 25000
check "tap0 -> A: 100000 datagrams, each once and intact" udp_seq "$NB" "$NA" 198.18.7.1 100000 25000

say "frames at the MTU, and longer ones from the TAP"
check "1500-byte IP packets pass both ways (ping -s 1472 -M do)" ping_each 3 198.18.7.2 -s 1472 -M do
ip -n "$NB" link set dev tap0 mtu 2000
sleep 1.2	# a periodic stats line before
BEFORE=$(json_last "$TMP/main.out" stats 'j["directions"][1]["dropped"]["oversize"]')
nsx "$NB" ping -n -c 1 -W 1 -s 1600 -M do 198.18.7.1 > "$TMP/big.out" 2>&1
RC=$?
check "a 1628-byte packet from tap0 (MTU 2000) does not reach A (ping exit $RC)" [ "$RC" -ne 0 ]
check "tap0 -> vb counted it as oversize (was $BEFORE)" \
	json_wait_change "$TMP/main.out" stats 'j["directions"][1]["dropped"]["oversize"]' 3 "$BEFORE"
echo "  oversize now $(json_last "$TMP/main.out" stats 'j["directions"][1]["dropped"]["oversize"]')"
ip -n "$NB" link set dev tap0 mtu 1500
check "after tap0's MTU is back to 1500, pings pass again" ping_until 10 198.18.7.2

say "vb's MTU changes: tap0's follows"
ip -n "$NB" link set dev vb mtu 1400
check "tap0's MTU follows vb's to 1400 (within 2 s)" \
	eval 'for i in $(seq 40); do ip -n "$NB" link show dev tap0 | grep -q "mtu 1400" && break; sleep 0.05; done; ip -n "$NB" link show dev tap0 | grep -q "mtu 1400"'
ip -n "$NA" link set dev va mtu 1400
check "1400-byte packets pass (ping -s 1372 -M do)" ping_each 3 198.18.7.2 -s 1372 -M do
ip -n "$NB" link set dev vb mtu 1500
ip -n "$NA" link set dev va mtu 1500
check "and back to 1500" eval 'sleep 0.3; ip -n "$NB" link show dev tap0 | grep -q "mtu 1500"'

say "SIGINT"
bridge_stop "$BR_PID" INT
check "exit 0 after SIGINT (got $RC)" [ "$RC" -eq 0 ]
show "bridge stderr" "$TMP/main.err"
echo "  --- final summary (last stdout line)"
tail -n 1 "$TMP/main.out" | cut -c1-400 | sed 's/^/  | /'
check "the final summary adds up in both directions, nothing in flight" summary_check "$TMP/main.out" SIGINT
check "offloads: TCP from tap0 came as super-packets the bridge cut ($(json_last "$TMP/main.out" summary 'j["directions"][1]["super_packets"]'))" \
	eval '[ "$(json_last "$TMP/main.out" summary "j[\"directions\"][1][\"super_packets\"]")" -gt 0 ]'
check "no XDP program left on vb" eval '! has_xdp "$NB" vb'
check "tap0 went away with the bridge" eval '! ip -n "$NB" link show dev tap0 >/dev/null 2>&1'

say "--match dst=198.18.7.0/24: the TAP gets its subnet (ARP included), vb's stack keeps the rest"
ip -n "$NA" addr add 198.18.9.1/24 dev va && ip -n "$NB" addr add 198.18.9.2/24 dev vb ||
	fail "cannot give vb an address of its own"
bridge_start match tap vb --tap tap0 -j -i 1 --match dst=198.18.7.0/24 || fail "the bridge did not start with --match"
ip -n "$NB" addr add 198.18.7.2/24 dev tap0
ip -n "$NA" neigh flush dev va
check "pings A -> tap0 (198.18.7.2) pass: its ARP went to the TAP" ping_each 5 198.18.7.2
check "A resolved 198.18.7.2 to tap0's MAC, not vb's" \
	eval '! ip -n "$NA" neigh show 198.18.7.2 | grep -qi "$B_MAC"'
check "pings A -> vb's own 198.18.9.2 pass: its ARP and echoes stayed with B's stack" ping_each 5 198.18.9.2
check "A resolved 198.18.9.2 to vb's MAC" eval 'ip -n "$NA" neigh show 198.18.9.2 | grep -qi "$B_MAC"'
sleep 1.2
echo "  xdp: $(json_last "$TMP/match.out" stats 'j["xdp"]')"
check "the program passed B's own traffic as no_match and ARP as arp_nd" \
	eval '[ "$(json_last "$TMP/match.out" stats "j[\"xdp\"][\"no_match\"] >= 5 and j[\"xdp\"][\"arp_nd\"] >= 1")" = True ]'
bridge_stop "$BR_PID" INT
check "exit 0 (got $RC), the summary adds up" eval '[ "$RC" -eq 0 ] && summary_check "$TMP/match.out" SIGINT'
check "no XDP program left on vb" eval '! has_xdp "$NB" vb'

say "a persistent TAP is attached, not created, and stays"
ip -n "$NB" tuntap add dev tapp mode tap multi_queue || fail "cannot create a persistent TAP"
nsx "$NB" timeout 20 "$BR" tap vb --tap tapp -d 1 > "$TMP/persist.out" 2> "$TMP/persist.err"
RC=$?
show "bridge stderr" "$TMP/persist.err"
check "the bridge ran for 1 s and exited 0 (got $RC)" [ "$RC" -eq 0 ]
check "it said it attached to the persistent tap tapp" grep -q 'attached to the persistent tap tapp' "$TMP/persist.err"
check "tapp is still there after the bridge" ip -n "$NB" link show dev tapp
ip -n "$NB" tuntap del dev tapp mode tap multi_queue
ip -n "$NB" tuntap add dev taps mode tap
nsx "$NB" timeout 20 "$BR" tap vb --tap taps -d 1 > "$TMP/single.out" 2> "$TMP/single.err"
RC=$?
show "bridge stderr" "$TMP/single.err"
check "a single-queue persistent TAP is refused with exit 1 (got $RC), in these words" \
	eval '[ "$RC" -eq 1 ] && grep -qxF "xdpbridge tap: taps is a persistent TAP device made without multi_queue, and the bridge needs one queue per worker: choose another name for --tap, one that does not exist (e.g. tap0): the bridge creates that device and removes it at exit; or make a persistent multi-queue TAP under a new name ('"'"'ip tuntap add dev tap0 mode tap multi_queue'"'"')" "$TMP/single.err"'
ip -n "$NB" tuntap add dev tunp mode tun multi_queue
nsx "$NB" timeout 20 "$BR" tap vb --tap tunp -d 1 > "$TMP/tunp.out" 2> "$TMP/tunp.err"
RC=$?
show "bridge stderr" "$TMP/tunp.err"
check "a persistent TUN as --tap is refused with exit 1 (got $RC), in these words" \
	eval '[ "$RC" -eq 1 ] && grep -qxF "xdpbridge tap: tunp is a persistent TUN device, not a TAP: choose another name for --tap, one that does not exist (e.g. tap0): the bridge creates that device and removes it at exit" "$TMP/tunp.err"'
nsx "$NB" timeout 20 "$BR" tap vb --tap lo -d 1 > "$TMP/lo.out" 2> "$TMP/lo.err"
RC=$?
show "bridge stderr" "$TMP/lo.err"
check "--tap lo is refused with exit 1 (got $RC), in these words" \
	eval '[ "$RC" -eq 1 ] && grep -qxF "xdpbridge tap: lo is the loopback device, not a TAP device: the bridge neither uses nor changes it: choose another name for --tap, one that does not exist (e.g. tap0): the bridge creates that device and removes it at exit" "$TMP/lo.err"'
check "none advises deleting a device ('ip link del')" eval '! grep -q "link del" "$TMP/single.err" "$TMP/tunp.err" "$TMP/lo.err"'
check "taps, tunp and lo are still there, as they were" \
	eval 'ip -n "$NB" -d link show dev taps | grep -q "tun type tap" && ip -n "$NB" -d link show dev tunp | grep -q "tun type tun" && ip -n "$NB" link show dev lo | grep -q LOOPBACK'
ip -n "$NB" tuntap del dev taps mode tap
ip -n "$NB" tuntap del dev tunp mode tun multi_queue
check "no XDP program left on vb" eval '! has_xdp "$NB" vb'

[ "$fails" -eq 0 ] && { echo "PASS it_tap"; exit 0; }
echo "FAIL it_tap: $fails check(s) failed"
exit 1
