#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# xdpbridge tun under faults (root), each bounded in time, on it_tun.sh's topology:
#
#   A: va 198.18.7.1/24 <==veth==> vb 198.18.7.2/24 [B: xdpbridge tun vb --tun tun0] tun0 198.18.8.2/24
#
#   0. someone else's XDP program on vb ("foreign", held by it_fwd_seq): the bridge refuses it
#      (exit 1, the message names it and --force, never 'xdp off') and leaves it there; with
#      --force it replaces it;
#   1. a second bridge on vb: exit 1, the message says another bridge serves vb; the first keeps
#      its program and keeps working.  Devices that are not the bridge's to use, on another veth
#      pair vc0/vc1: the first bridge's tun0 (--tap tun0) and a veth (--tun vc1) are refused in
#      exact words (what the device is, another name suggested, never 'ip link del'), and stay as
#      they were; -m zerocopy on veth is refused in the bridge's words (-m auto or -m copy);
#   2. A's entry removed from B's neighbour table: the next reply is dropped and counted as
#      no_neigh, never sent to a guessed address; the bridge asks the kernel to resolve A again
#      and replies resume by themselves; with --no-resolve they resume when the entry returns;
#   3. vb down, then up: the bridge keeps running and pings pass again;
#   4. kill -9 while traffic flows: its TUN goes with it, and its program too (the library holds
#      it through a BPF link); a new bridge finds nothing to replace and works.  Where the kernel
#      has no XDP links (the bridge says "attaching over netlink"), the program stays on vb and a
#      new bridge replaces it with a warning containing "stale";
#   5. `ip link del tun0` under the bridge while traffic flows: exit 1, the message names tun0,
#      no XDP program left on vb;
#   6. vb moved into another namespace the test made: exit 1; in exact words, where vb went; the
#      bridge's detach reaches vb there (a BPF link), so nothing stays and nothing is said about
#      it; the TUN the bridge made is gone.  Without XDP links: in exact words, that the steering
#      program stays attached to vb there, with the one command that removes it, which does;
#   7. tun0 moved into that namespace: exit 1, "tun0 moved to ..." (the bridge made it: it goes
#      away there when the bridge exits), and it does; no XDP program left on vb;
#   8. `ip link del vb` under a bridge: exit 1, the message names vb.
#
# Namespaces xst<run>-<pid>-{a,b,c}; everything is removed on exit (trap).  Exit 0 pass, 1 fail,
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
LIB=$(tun_lib) || { echo "FAIL it_tun_faults: tests/integ/tunlab.sh not found above $(dirname "$0") or in $PWD"; exit 1; }
# shellcheck source=tunlab.sh
. "$LIB"
tun_require it_tun_faults
SEQ=$BUILD/tests/it_fwd_seq
[ -x "$SEQ" ] || { echo "FAIL it_tun_faults: no $SEQ (it holds the foreign program; 'make tests' builds it)"; exit 1; }
trap tun_cleanup EXIT
trap 'exit 1' INT TERM

tun_addrs() {
	ip -n "$NB" addr add 198.18.8.2/24 dev tun0 &&
	ip -n "$NB" rule add from 198.18.8.2 lookup 100 2>/dev/null;
	ip -n "$NB" route replace default dev tun0 table 100
}

# Pings from A to tun0 in the background, 200 a second for $1 seconds: traffic while a fault hits.
traffic() {
	ip netns exec "$NA" ping -n -q -i 0.005 -w "$1" 198.18.8.2 > "$TMP/traffic.out" 2>&1 &
	TPID=$!
	PIDS+=("$TPID")
}

# The bridge's last periodic count of no_neigh drops ($1: its stdout).
no_neigh() {
	local v
	v=$(json_last "$1" stats 'j["directions"][1]["dropped"]["no_neigh"]' 2>/dev/null) || v=none
	echo "$v"
}

# "ID NAME" of the XDP program on $2 in namespace $1; nothing when none.
xdp_prog() { ip -n "$1" -d link show dev "$2" 2>/dev/null | sed -n 's/.*prog\/xdp id \([0-9]*\) name \([^ ]*\).*/\1 \2/p'; }

# Run `xdpbridge ARGS...` in $NB expecting a refusal: tag $1; exit status in RC, stderr in $TMP/$1.err.
refused() {
	local tag=$1
	shift
	nsx "$NB" timeout 20 "$BR" "$@" > "$TMP/$tag.out" 2> "$TMP/$tag.err"
	RC=$?
	show "xdpbridge $*" "$TMP/$tag.err"
}

say "topology: $NA -- $NB"
tun_topo 1 || { echo "FAIL: cannot build the topology"; exit 1; }
ip -n "$NB" addr add 198.18.7.2/24 dev vb &&
ip -n "$NA" route add 198.18.8.0/24 via 198.18.7.2 || { echo "FAIL: cannot address the topology"; exit 1; }
nsx "$NA" ping -n -c 1 -W 2 198.18.7.2 >/dev/null || { echo "FAIL: A cannot reach B"; exit 1; }

say "0. someone else's XDP program on vb"
ip netns exec "$NB" "$SEQ" foreign vb > "$TMP/foreign.out" 2>&1 &
FPID=$!
PIDS+=("$FPID")
wait_for "$TMP/foreign.out" 'attached' 5 || { show foreign "$TMP/foreign.out"; fail "cannot attach a foreign program"; }
nsx "$NB" timeout 20 "$BR" tun vb --tun tun0 > "$TMP/refused.out" 2> "$TMP/refused.err"
RC=$?
show "bridge's stderr" "$TMP/refused.err"
check "the bridge refuses a foreign program: exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "its message names the program ('foreign') and --force" \
	eval "grep -q \"'foreign'\" '$TMP/refused.err' && grep -q -- '--force' '$TMP/refused.err'"
FID=$(xdp_prog "$NB" vb | cut -d' ' -f1)
check "in the bridge's words: the program named, left alone, --force named" grep -qxF \
	"xdpbridge tun: vb already has XDP program 'foreign' (id $FID, native mode), not one of ours: the bridge leaves it alone; use another interface, or, if nothing needs that program any more, run with --force to replace it" \
	"$TMP/refused.err"
check "no advice to remove it by hand ('xdp off')" eval '! grep -q "xdp off" "$TMP/refused.err"'
check "the foreign program is still on vb" eval 'ip -n "$NB" -d link show dev vb | grep -q "name foreign"'
check "no tun0 left behind" eval '! ip -n "$NB" link show dev tun0 >/dev/null 2>&1'
bridge_start first tun vb --tun tun0 -j -i 0.5 --force || { echo "FAIL: the bridge did not start with --force"; exit 1; }
FIRST=$BR_PID
show "first bridge's stderr" "$TMP/first.err"
check "--force says it removed 'foreign'" grep -q "force: removed XDP program 'foreign'" "$TMP/first.err"
check "--force replaced the foreign program on vb" eval '! ip -n "$NB" -d link show dev vb | grep -q "name foreign"'
stop_pid "$FPID"
tun_addrs || fail "cannot address tun0"
check "the first bridge works (pings A -> tun0)" ping_each 3 198.18.8.2

say "1. a second bridge on vb"
nsx "$NB" timeout 20 "$BR" tun vb --tun tun1 > "$TMP/second.out" 2> "$TMP/second.err"
RC=$?
show "second bridge's stderr" "$TMP/second.err"
check "the second bridge fails with exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "its message says another bridge serves vb" grep -q 'vb is already served by another xdpbridge' "$TMP/second.err"
check "the first bridge is still running, its program attached" eval 'kill -0 "$FIRST" && has_xdp "$NB" vb'
check "the first bridge still works" ping_each 3 198.18.8.2
ip -n "$NB" link add name vc0 type veth peer name vc1 && ip -n "$NB" link set dev vc0 up &&
	ip -n "$NB" link set dev vc1 up || fail "cannot make the veth pair vc0/vc1"
refused tap-tun0 tap vc0 --tap tun0
check "--tap tun0 (the first bridge's TUN): exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "it says what tun0 is and asks for another name, in these words" grep -qxF \
	"xdpbridge tap: tun0 is a TUN device of another running program (not persistent, 1 queue open): the bridge does not take it over: choose another name for --tap, one that does not exist (e.g. tap0): the bridge creates that device and removes it at exit" \
	"$TMP/tap-tun0.err"
refused tun-veth tun vc0 --tun vc1
check "--tun vc1 (a veth): exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "it says what vc1 is and asks for another name, in these words" grep -qxF \
	"xdpbridge tun: vc1 is a veth device, not a TUN device: the bridge neither uses nor changes it: choose another name for --tun, one that does not exist (e.g. tun1): the bridge creates that device and removes it at exit" \
	"$TMP/tun-veth.err"
check "neither advises deleting a device ('ip link del')" eval '! grep -q "link del" "$TMP/tap-tun0.err" "$TMP/tun-veth.err"'
check "vc1 is still a veth, tun0 still the first bridge's (1 queue), no program left on vc0" \
	eval 'ip -n "$NB" -d link show dev vc1 | grep -q veth && ip -n "$NB" -d link show dev tun0 | grep -q "numqueues 1" && ! has_xdp "$NB" vc0'
refused zc tun vc0 --tun tun9 -m zerocopy
check "-m zerocopy on a veth: exit 1 (got $RC), in the bridge's words" eval '[ "$RC" -eq 1 ] && grep -qxF \
	"xdpbridge tun: setting up queue 0 of vc0: vc0'"'"'s driver cannot do zero-copy AF_XDP: use -m auto (zero-copy where the driver can, else copy) or -m copy" \
	"$TMP/zc.err"'
check "nothing of it left: no tun9, no program on vc0" eval '! ip -n "$NB" link show dev tun9 >/dev/null 2>&1 && ! has_xdp "$NB" vc0'
ip -n "$NB" link del vc0
check "the first bridge still works" ping_each 3 198.18.8.2

say "2. A's entry removed from B's neighbour table"
B0=$(no_neigh "$TMP/first.out")
ip -n "$NB" neigh del 198.18.7.1 dev vb
nsx "$NA" ping -n -c 1 -W 1 198.18.8.2 > "$TMP/noneigh.out" 2>&1
RC=$?
check "the reply without a next hop is not delivered (ping exit $RC)" [ "$RC" -ne 0 ]
check "the bridge counted it as no_neigh (was $B0)" \
	json_wait_change "$TMP/first.out" stats 'j["directions"][1]["dropped"]["no_neigh"]' 3 "$B0"
check "replies resume once the bridge had A resolved again (within 5 s)" ping_until 25 198.18.8.2
echo "  B's neighbour entry now: $(ip -n "$NB" neigh show 198.18.7.1 dev vb)"
check "A is back in B's neighbour table" eval 'ip -n "$NB" neigh show 198.18.7.1 dev vb | grep -q lladdr'

say "3. vb down, then up"
ip -n "$NB" link set vb down
sleep 0.5
check "the bridge keeps running while vb is down" kill -0 "$FIRST"
ip -n "$NB" link set vb up
oper_up "$NB" vb
ip -n "$NB" route replace default dev tun0 table 100
check "pings pass again after vb is up (within 5 s)" ping_until 25 198.18.8.2
grep -E 'vb is (down|up)' "$TMP/first.err" | sed 's/^/  | /'

say "4. kill -9 while traffic flows"
traffic 3
sleep 0.5
kill -KILL "$FIRST"
wait_exit "$FIRST" 5
check "the bridge died of SIGKILL (status $RC)" [ "$RC" -eq 137 ]
# The library says once per process when the kernel makes it attach over netlink instead.
if grep -q 'attaching over netlink' "$TMP/first.err"; then
	XDP_LINKS=0
	echo "  the kernel has no XDP links: $(grep 'attaching over netlink' "$TMP/first.err" | head -n 1)"
	check "its program stayed on vb (nothing could remove it)" has_xdp "$NB" vb
else
	XDP_LINKS=1
	check "its program went with it (held by the bridge's BPF link)" eval '! has_xdp "$NB" vb'
fi
check "its TUN went with it" eval '! ip -n "$NB" link show dev tun0 >/dev/null 2>&1'
wait_exit "$TPID" 10 || stop_pid "$TPID"
bridge_start restarted tun vb --tun tun0 -j || fail "a new bridge did not start after kill -9"
show "restarted bridge's stderr" "$TMP/restarted.err"
if [ "$XDP_LINKS" = 1 ]; then
	check "the new bridge had nothing stale to replace" eval '! grep -qi stale "$TMP/restarted.err"'
else
	check "the new bridge replaced the stale program, saying 'stale'" grep -qi 'stale xdpbridge_steer' "$TMP/restarted.err"
fi
tun_addrs || fail "cannot address tun0 again"
check "traffic flows again" ping_until 10 198.18.8.2

say "5. ip link del tun0 under the bridge, traffic flowing"
traffic 5
sleep 0.5
ip -n "$NB" link del tun0
if wait_exit "$BR_PID" 15; then
	check "the bridge exits 1 once tun0 is gone (got $RC)" [ "$RC" -eq 1 ]
else
	fail "the bridge still runs 15 s after tun0 was deleted"
	stop_pid "$BR_PID"
fi
show "bridge stderr" "$TMP/restarted.err"
check "its message names tun0" grep -qE 'tun0 disappeared|tun0.*(gone|deleted)' "$TMP/restarted.err"
check "no XDP program left on vb" eval '! has_xdp "$NB" vb'
stop_pid "$TPID"

say "2b. --no-resolve: no_neigh until the entry returns"
bridge_start nores tun vb --tun tun0 -j -i 0.5 --no-resolve || fail "the bridge did not start with --no-resolve"
tun_addrs || fail "cannot address tun0 again"
ping_until 10 198.18.8.2 || fail "no ping through the --no-resolve bridge"
ip -n "$NB" neigh del 198.18.7.1 dev vb
B0=$(no_neigh "$TMP/nores.out")
check "pings fail while B has no entry for A" eval '! ping_until 3 198.18.8.2'
check "counted as no_neigh (was $B0)" \
	json_wait_change "$TMP/nores.out" stats 'j["directions"][1]["dropped"]["no_neigh"]' 3 "$B0"
check "the entry is still missing: nobody asked the kernel" eval '! ip -n "$NB" neigh show 198.18.7.1 dev vb | grep -q lladdr'
ip -n "$NB" neigh replace 198.18.7.1 lladdr "$A_MAC" dev vb nud reachable
check "pings pass again once the entry is back" ping_until 10 198.18.8.2

say "6. vb moved into another namespace under the bridge"
ip netns add "$NC" || fail "cannot make namespace $NC"
PROG=$(xdp_prog "$NB" vb)
echo "  on vb before the move: $PROG"
ip -n "$NB" link set dev vb netns "$NC" || fail "cannot move vb into $NC"
if wait_exit "$BR_PID" 15; then
	check "the bridge exits 1 once vb has left (got $RC)" [ "$RC" -eq 1 ]
else
	fail "the bridge still runs 15 s after vb left"
	stop_pid "$BR_PID"
fi
show "bridge stderr" "$TMP/nores.err"
check "it says where vb went" grep -qxF "xdpbridge tun: vb moved to network namespace '$NC': stopping" "$TMP/nores.err"
check "it was the bridge's program on vb before the move ($PROG)" eval '[ "${PROG#* }" = xdpbridge_steer ]'
if [ "$XDP_LINKS" = 1 ]; then
	check "the bridge's detach reached vb in $NC: no program left there ($(xdp_prog "$NC" vb))" \
		eval '! has_xdp "$NC" vb'
	check "nothing said about a program staying there" eval '! grep -q "stays attached" "$TMP/nores.err"'
else
	check "the program on vb in $NC is the bridge's, as it was: $(xdp_prog "$NC" vb)" \
		eval '[ "$(xdp_prog "$NC" vb)" = "$PROG" ]'
	check "it says, in these words, what stays there and the one command that removes it" grep -qxF \
		"xdpbridge tun: our XDP program xdpbridge_steer (id ${PROG%% *}, native mode) stays attached to vb there: the bridge cannot detach it in another namespace; remove it with 'ip -n $NC link set dev vb xdp off'" \
		"$TMP/nores.err"
	CMD=$(sed -n "s/.*remove it with '\(ip -n [^']*\)'.*/\1/p" "$TMP/nores.err")
	echo "  running the bridge's command: $CMD"
	check "that command removes it" eval '$CMD && ! has_xdp "$NC" vb'
fi
check "tun0 went away with the bridge" eval '! ip -n "$NB" link show dev tun0 >/dev/null 2>&1'
ip -n "$NC" link set dev vb netns "$NB" && ip -n "$NB" link set dev vb up && oper_up "$NB" vb ||
	fail "cannot bring vb back"

say "7. tun0 moved into another namespace under the bridge"
bridge_start tunmove tun vb --tun tun0 || fail "a bridge did not start after vb came back"
ip -n "$NB" link set dev tun0 netns "$NC" || fail "cannot move tun0 into $NC"
if wait_exit "$BR_PID" 15; then
	check "the bridge exits 1 once tun0 has left (got $RC)" [ "$RC" -eq 1 ]
else
	fail "the bridge still runs 15 s after tun0 left"
	stop_pid "$BR_PID"
fi
show "bridge stderr" "$TMP/tunmove.err"
check "it says where tun0 went and what becomes of it" grep -qxF \
	"xdpbridge tun: tun0 moved to network namespace '$NC': stopping (the bridge made it: it goes away there when the bridge exits)" \
	"$TMP/tunmove.err"
check "and it went away there" eval '! ip -n "$NC" link show dev tun0 >/dev/null 2>&1'
check "no XDP program left on vb" eval '! has_xdp "$NB" vb'

say "8. ip link del vb under the bridge"
bridge_start last tun vb --tun tun0 || fail "a bridge did not start on vb"
ip -n "$NB" link del vb
if wait_exit "$BR_PID" 15; then
	check "the bridge exits 1 once vb is gone (got $RC)" [ "$RC" -eq 1 ]
else
	fail "the bridge still runs 15 s after vb was deleted"
	stop_pid "$BR_PID"
fi
show "bridge stderr" "$TMP/last.err"
check "its message names vb" grep -qE 'vb disappeared' "$TMP/last.err"
check "tun0 went away with it" eval '! ip -n "$NB" link show dev tun0 >/dev/null 2>&1'

[ "$fails" -eq 0 ] && { echo "PASS it_tun_faults"; exit 0; }
echo "FAIL it_tun_faults: $fails check(s) failed"
exit 1
