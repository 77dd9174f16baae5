#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# xdpbridge fwd under faults (root), each bounded in time:
#
#   gen: g0 198.18.1.1 <=veth=> p0 [fwd: xdpbridge fwd p0 p1] p1 <=veth=> s0 198.18.1.2 :sink
#
#   0a. -m zerocopy on veth (no zero-copy there): exit 1, the refusal in the bridge's own words
#      (-m auto or -m copy; no library field name), nothing left attached;
#   0. someone else's XDP program on p0 ("foreign", held by it_fwd_seq): the bridge refuses it
#      (exit 1, the message names it and --force, never 'xdp off' or the library's attach_mode)
#      and leaves it there; with --force it replaces it.  That bridge,
#      started with p1's MTU at 1000, drops exactly the frames longer than 1014 bytes as oversize
#      (the sink sees every other frame, in order; the bridge's periodic JSON counts the rest);
#      p1's MTU back to 1500 while it runs: every frame gets through again;
#   1. a second bridge on the same ports: exit 1 with an EBUSY / "already" message naming the port;
#      the first keeps its programs and keeps forwarding;
#   2. p1 down, then up: the bridge keeps running and forwarding resumes (ping, then 10,000
#      sequence-numbered frames all delivered in order);
#   3. kill -9 mid-run (traffic flowing): its program stays on the ports (nothing could remove it);
#      a new bridge replaces it with a warning containing "stale" and forwards again;
#   4. p1 moved into another namespace the test made, while forwarding: the bridge exits 1 saying
#      where p1 went and, in exact words, that the library's program (xdpsock_redir, its id) stays
#      attached to p1 there, with the one command that removes it; that command removes it; p0
#      keeps nothing.  (The bridge cannot detach in another namespace: see xb_say_left_there().)  p1
#      comes back and a new bridge starts;
#   5. `ip link del p1` while forwarding: the bridge exits 1 with a message naming p1, and leaves
#      no XDP program on p0.
#
# Namespaces xst<run>-<pid>-{gen,fwd,sink,other}; addresses 198.18.1.0/24 only; everything is
# removed on exit (trap).  Exit 0 pass, 1 fail, 77 skip (not root).  About 25 s.
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
LIB=$(fwd_lib) || { echo "FAIL it_fwd_faults: tests/integ/fwdlab.sh not found above $(dirname "$0") or in $PWD"; exit 1; }
# shellcheck source=fwdlab.sh
. "$LIB"
trap fwd_cleanup EXIT
fwd_require it_fwd_faults
trap 'exit 1' INT TERM

# Background traffic gen -> (an address nobody has, so the sink's stack drops it): $1 frames at 20 kpps.
traffic() {
	ip netns exec "$GEN" "$SEQ" send g0 --smac "$GEN_MAC" --dmac "$SINK_MAC" --sip "$GEN_IP" --dip 198.18.1.3 \
		--count "$1" --rate 20000 --secs 20 > "$TMP/traffic.out" 2>&1 &
	TPID=$!
	PIDS+=("$TPID")
}

# The last periodic JSON stats line's oversize drops, summed over the ports.
oversize_now() {
	python3 -c '
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
s = [j for j in s if j.get("type") == "stats"]
print(sum(p["dropped"]["oversize"] for p in s[-1]["ports"]) if s else -1)' "$1"
}

say "topology: $GEN -- $FWD -- $SINK"
fwd_topo 1 || { echo "FAIL: cannot build the topology"; exit 1; }

# "ID NAME" of the XDP program on $2 in namespace $1; nothing when none.
xdp_prog() { ip -n "$1" -d link show dev "$2" 2>/dev/null | sed -n 's/.*prog\/xdp id \([0-9]*\) name \([^ ]*\).*/\1 \2/p'; }

say "0a. -m zerocopy on veth"
nsx "$FWD" timeout 20 "$BR" fwd p0 p1 -m zerocopy > "$TMP/zc.out" 2> "$TMP/zc.err"
RC=$?
show "bridge's stderr" "$TMP/zc.err"
check "exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "the refusal in the bridge's words: use -m auto or -m copy" grep -qxF \
	"xdpbridge fwd: setting up queue 0: p0's driver cannot do zero-copy AF_XDP: use -m auto (zero-copy where the driver can, else copy) or -m copy" \
	"$TMP/zc.err"
check "no library field name (copy_mode) in it" eval '! grep -q copy_mode "$TMP/zc.err"'
check "nothing left attached on p0 or p1" eval '! has_xdp "$FWD" p0 && ! has_xdp "$FWD" p1'

say "0. someone else's XDP program on p0"
: > "$TMP/foreign.out"
ip netns exec "$FWD" "$SEQ" foreign p0 > "$TMP/foreign.out" 2>&1 &
FPID=$!
PIDS+=("$FPID")
wait_for "$TMP/foreign.out" 'attached' 5 || { show foreign "$TMP/foreign.out"; fail "cannot attach a foreign program"; }
nsx "$FWD" timeout 20 "$BR" fwd p0 p1 > "$TMP/refused.out" 2> "$TMP/refused.err"
RC=$?
show "bridge's stderr" "$TMP/refused.err"
check "the bridge refuses a foreign program: exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "its message names the program ('foreign') and says EBUSY / busy / already / attached" \
	eval "grep -q foreign '$TMP/refused.err' && grep -qiE 'EBUSY|busy|already|attached' '$TMP/refused.err'"
FID=$(xdp_prog "$FWD" p0 | cut -d' ' -f1)
check "its message is the bridge's: names the program, leaves it alone, names --force" grep -qF \
	"xdpbridge fwd: p0 already has XDP program 'foreign' (id $FID, native mode), not one of ours: the bridge leaves it alone; use another interface, or, if nothing needs that program any more, run with --force to replace it" \
	"$TMP/refused.err"
check "no advice to remove it by hand ('xdp off'), no library field (attach_mode)" \
	eval '! grep -qE "xdp off|attach_mode" "$TMP/refused.err"'
check "the foreign program is still on p0" eval 'ip -n "$FWD" -d link show dev p0 | grep -q "name foreign"'

say "0b. p1's MTU at 1000; xdpbridge --force"
ip -n "$FWD" link set dev p1 mtu 1000
bridge_start first -j -i 1 --force || { echo "FAIL: the bridge did not start with --force"; exit 1; }
FIRST=$BR_PID
show "first bridge's stderr" "$TMP/first.err"
check "--force replaced the foreign program on p0" eval '! ip -n "$FWD" -d link show dev p0 | grep -q "name foreign"'
check "the first bridge forwards (ping)" ping_once
SEQ_SINK_ARGS="--max-len 1014" \
	check "10000 frames of 60..1514 bytes gen -> sink: every frame up to 1014 bytes arrives in order, none longer" \
	seq_stream "$GEN" g0 "$SINK" s0 10000 20000
LONG=$(sed -n 's/.*: \([0-9]*\) of the 10000 frames are longer than --max-len.*/\1/p' "$TMP/seq-sink.out")
sleep 1.5	# a periodic stats line after the last frame
check "the bridge counted exactly those $LONG frames as oversize (stats: $(oversize_now "$TMP/first.out"))" \
	[ "$(oversize_now "$TMP/first.out")" = "${LONG:-x}" ]
ip -n "$FWD" link set dev p1 mtu 1500
sleep 0.5
check "p1's MTU back to 1500 while running: all 10000 frames arrive" seq_stream "$GEN" g0 "$SINK" s0 10000 20000
stop_pid "$FPID"

say "1. a second bridge on the same ports"
nsx "$FWD" timeout 20 "$BR" fwd p0 p1 > "$TMP/second.out" 2> "$TMP/second.err"
RC=$?
show "second bridge's stderr" "$TMP/second.err"
check "the second bridge fails with exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "its message says EBUSY / already / busy" grep -qiE 'EBUSY|already|busy' "$TMP/second.err"
check "its message names the port" grep -qE '\bp[01]\b' "$TMP/second.err"
check "the first bridge is still running" kill -0 "$FIRST"
check "the first bridge's programs are still attached" eval 'has_xdp "$FWD" p0 && has_xdp "$FWD" p1'
check "the first bridge still forwards (ping)" ping_once

say "2. p1 down, then up"
ip -n "$FWD" link set p1 down
sleep 1
check "the bridge keeps running while p1 is down" kill -0 "$FIRST"
if ping_once; then echo "  (note: a ping crossed while p1 was down)"; else echo "  (no ping crosses while p1 is down, as expected)"; fi
ip -n "$FWD" link set p1 up
oper_up "$FWD" p1
check "forwarding resumes after p1 is up (ping within 10 s)" ping_until 25
check "after up: 10000 frames gen -> sink, all delivered in order" seq_stream "$GEN" g0 "$SINK" s0 10000 20000
check "the bridge is still the same process" kill -0 "$FIRST"
grep -E 'p1' "$TMP/first.err" | sed 's/^/  | /'

say "3. kill -9 while forwarding"
traffic 60000
sleep 0.5
kill -KILL "$FIRST"
wait_exit "$FIRST" 5
check "the bridge died of SIGKILL (status $RC)" [ "$RC" -eq 137 ]
check "its program stayed on p0 (nothing could remove it)" has_xdp "$FWD" p0
bridge_start restarted -j || fail "a new bridge did not start after kill -9"
show "restarted bridge's stderr" "$TMP/restarted.err"
check "the new bridge warns about the stale program ('stale')" grep -qi 'stale' "$TMP/restarted.err"
check "traffic flows again (ping within 5 s)" ping_until 10
wait_exit "$TPID" 20 || stop_pid "$TPID"
check "then 10000 frames gen -> sink, all delivered in order" seq_stream "$GEN" g0 "$SINK" s0 10000 20000

say "4. p1 moved into another namespace while forwarding"
ip netns add "$OTHER" || fail "cannot make namespace $OTHER"
PROG=$(xdp_prog "$FWD" p1)
echo "  on p1 before the move: $PROG"
traffic 60000
sleep 0.5
ip -n "$FWD" link set dev p1 netns "$OTHER" || fail "cannot move p1 into $OTHER"
if wait_exit "$BR_PID" 15; then
	check "the bridge exits 1 once p1 has left (got $RC)" [ "$RC" -eq 1 ]
else
	fail "the bridge still runs 15 s after p1 left"
	stop_pid "$BR_PID"
fi
show "bridge stderr" "$TMP/restarted.err"
check "it says where p1 went" grep -qxF "xdpbridge fwd: p1 moved to network namespace '$OTHER': stopping" \
	"$TMP/restarted.err"
check "the program on p1 in $OTHER is the one p1 had here, the library's: $(xdp_prog "$OTHER" p1)" \
	eval '[ "$(xdp_prog "$OTHER" p1)" = "$PROG" ] && [ "${PROG#* }" = xdpsock_redir ]'
check "it says, in these words, what stays there and the one command that removes it" grep -qxF \
	"xdpbridge fwd: our XDP program xdpsock_redir (id ${PROG%% *}, native mode) stays attached to p1 there: the bridge cannot detach it in another namespace; remove it with 'ip -n $OTHER link set dev p1 xdp off'" \
	"$TMP/restarted.err"
check "no XDP program left on p0" eval '! has_xdp "$FWD" p0'
CMD=$(sed -n "s/.*remove it with '\(ip -n [^']*\)'.*/\1/p" "$TMP/restarted.err")
echo "  running the bridge's command: $CMD"
check "that command removes it" eval '$CMD && ! has_xdp "$OTHER" p1'
stop_pid "$TPID"
ip -n "$OTHER" link set dev p1 netns "$FWD" && ip -n "$FWD" link set dev p1 up && oper_up "$FWD" p1 ||
	fail "cannot bring p1 back"
bridge_start again -j || fail "a bridge did not start after p1 came back"
check "it forwards again (ping within 5 s)" ping_until 25

say "5. ip link del p1 while forwarding"
traffic 60000
sleep 0.5
ip -n "$FWD" link del p1
if wait_exit "$BR_PID" 15; then
	check "the bridge exits 1 once p1 is gone (got $RC)" [ "$RC" -eq 1 ]
else
	fail "the bridge still runs 15 s after p1 was deleted"
	stop_pid "$BR_PID"
fi
show "bridge stderr" "$TMP/again.err"
check "its message names p1" grep -qE '\bp1\b.*(gone|disappear|removed|deleted|no longer|vanish)|(gone|disappear|removed|deleted|no longer|vanish).*\bp1\b' "$TMP/again.err"
check "no XDP program left on p0" eval '! has_xdp "$FWD" p0'
ip -n "$FWD" -d link show dev p0 | grep -E 'xdp|prog' | sed 's/^/  | /'
stop_pid "$TPID"

[ "$fails" -eq 0 ] && { echo "PASS it_fwd_faults"; exit 0; }
echo "FAIL it_fwd_faults: $fails check(s) failed"
exit 1
