#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# The example labs for xdpbridge, used as they are, with no shell glue around them (root):
#   1. tools/xdplab/examples/fwd.lab: up; `xdpbridge fwd p0 p1` started in node fwd with
#      `xdplab exec`; `xdplab test` (gen and sink ping each other through it); iperf3 TCP gen ->
#      sink for 2 s through the bridge, no segment with a bad checksum at the sink (the lab's
#      offload switches are what make TCP work); the bridge stopped with SIGINT (exit 0); down;
#   2. tools/xdplab/examples/tun.lab: up --test; `xdpbridge tun vb --tun tun0` in node b; tun0's
#      address (it exists only once the bridge runs); a pings tun0's addresses through the bridge
#      over IPv4 and IPv6; the bridge stopped; down.
# Nothing may be left: no namespace, /run/netns entry or mount.
#
# Namespaces are xst<run>-<pid>{f,t}-<node>: tests/run.sh finds leftovers by the xst<run>- prefix.
# Addresses: 198.18.0.0/15 and 2001:2::/48 only.  Exit 0 pass, 1 fail, 77 skip (not root).
set -u
. "$(dirname "$0")/lib.sh"

BIN=${XDPSOCK_BUILD:-build}/bin
XL=$BIN/xdplab
BR=$BIN/xdpbridge
LAB=xst${XST_RUN:-0}-$$
PIDS=()

need_root "network namespaces, veth, XDP, AF_XDP, TUN"
for t in ip python3 iperf3 nstat timeout; do
	command -v "$t" >/dev/null || { echo "FAIL: $t is missing ('make deps' installs it)"; exit 1; }
done
for t in "$XL" "$BR"; do [ -x "$t" ] || { echo "FAIL: no $t ('make' builds it)"; exit 1; }; done
[ -c /dev/net/tun ] || { echo "FAIL: no /dev/net/tun (the kernel has TUN: the node is missing)"; exit 1; }
examples() {
	local d i
	d=$(cd "$(dirname "$0")" && pwd)
	for ((i = 0; i < 6; i++)); do
		[ -f "$d/tools/xdplab/examples/fwd.lab" ] && { echo "$d/tools/xdplab/examples"; return 0; }
		d=$(dirname "$d")
	done
	[ -f "$PWD/tools/xdplab/examples/fwd.lab" ] && { echo "$PWD/tools/xdplab/examples"; return 0; }
	return 1
}
EX=$(examples) || { echo "FAIL: tools/xdplab/examples not found above $(dirname "$0") or in $PWD"; exit 1; }
make_tmp

# Stop a process started here: SIGTERM, then SIGKILL after 3 s.
stop_pid() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 60; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
}
on_cleanup() {
	local f ns pid
	for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
	for f in "$TMP"/*.lab; do [ -f "$f" ] && "$XL" down "$f" >/dev/null 2>&1; done
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$LAB"); do ip netns del "$ns"; done
	rm -rf "$TMP"
}

checkx() {	# description, shell condition (evaluated here, with the test's variables)
	local what=$1
	if eval "$2"; then ok "$what"; else fail "$what"; fi
}
run() { OUT=$("$@" 2>&1); RC=$?; }
show_out() { echo "$OUT" | sed 's/^/     | /'; }
show_file() { sed 's/^/     | /' "$1"; }
nothing_left() {
	! ip netns list | awk '{print $1}' | grep -q "^$1-" &&
		! ls /run/netns 2>/dev/null | grep -q "^$1-" &&
		! grep -q "/run/netns/$1-" /proc/self/mountinfo
}
# Wait (bounded: $2 s) for pid $1 to end; its status in RC (255: still running).
wait_exit() {
	local i
	RC=255
	for ((i = 0; i < $2 * 20; i++)); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1" 2>/dev/null
			RC=$?
			return 0
		fi
		sleep 0.05
	done
	return 1
}
# Start a bridge: xdplab exec -f FILE NODE -- xdpbridge ARGS..., output in $TMP/$tag.{out,err}; BR_PID.
# (xdplab exec becomes the command: its PID is the bridge's.  env --default-signal: a script's
# background jobs inherit SIGINT ignored.)
bridge_start() {	# tag file node started-regex args...
	local tag=$1 file=$2 node=$3 re=$4
	shift 4
	: > "$TMP/$tag.out"
	: > "$TMP/$tag.err"
	"$XL" exec -f "$file" "$node" -- env --default-signal=INT "$BR" "$@" > "$TMP/$tag.out" 2> "$TMP/$tag.err" &
	BR_PID=$!
	PIDS+=("$BR_PID")
	wait_for "$TMP/$tag.err" "$re" 15 || { echo "  the bridge did not start within 15 s:"; show_file "$TMP/$tag.err"; return 1; }
}
bridge_stop() {
	kill -INT "$1" 2>/dev/null
	wait_exit "$1" 15 || { kill -KILL "$1" 2>/dev/null; wait_exit "$1" 5; RC=254; }
}

# ---- 1. the fwd lab: TCP through xdpbridge fwd ----------------------------------------------------
F=$TMP/fwd.lab
sed "s/^lab fwd\$/lab ${LAB}f/" "$EX/fwd.lab" > "$F"
N=${LAB}f
run "$XL" up "$F"
checkx "fwd lab: up exit 0 ($RC)" '[ "$RC" -eq 0 ]' || show_out
if bridge_start fwd "$F" fwd 'forwarding p0 <-> p1 on [0-9]+ queue' fwd p0 p1; then
	ok "xdpbridge fwd p0 p1 runs in node fwd"
	run "$XL" test "$F"
	show_out
	checkx "fwd lab: test holds through the bridge ($RC)" '[ "$RC" -eq 0 ] && grep -q "^all 2 expectations hold$" <<<"$OUT"'
	: > "$TMP/iperf-s.out"
	"$XL" exec -f "$F" sink -- timeout 20 iperf3 -s -1 -B 198.18.1.2 --forceflush > "$TMP/iperf-s.out" 2>&1 &
	IPID=$!
	PIDS+=("$IPID")
	if wait_for "$TMP/iperf-s.out" listening 10; then
		"$XL" exec -f "$F" gen -- timeout 20 iperf3 -c 198.18.1.2 -t 2 --connect-timeout 3000 -J > "$TMP/iperf.json" 2>&1
		RC=$?
		check "iperf3 TCP gen -> sink through xdpbridge fwd for 2 s (exit $RC)" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
if "error" in j:
    print("     iperf3: " + j["error"]); sys.exit(1)
r, s = j["end"]["sum_received"], j["end"]["sum_sent"]
print("     iperf3 TCP through xdpbridge fwd: %.1f Mbit/s received over %.1f s, %d retransmits"
      % (r["bits_per_second"] / 1e6, r["seconds"], s.get("retransmits", -1)))
sys.exit(0 if r["bytes"] > 0 and r["bits_per_second"] > 0 else 1)' "$TMP/iperf.json"
	else
		fail "the iperf3 server did not start"
		show_file "$TMP/iperf-s.out"
	fi
	wait_exit "$IPID" 10 || stop_pid "$IPID"
	CSUM=$(ip netns exec "$N-sink" nstat -az TcpInCsumErrors 2>/dev/null | awk '/TcpInCsumErrors/ {print $2}')
	check "no TCP segment reached the sink with a bad checksum (TcpInCsumErrors $CSUM)" [ "$CSUM" = 0 ]
	bridge_stop "$BR_PID"
	check "xdpbridge fwd: exit 0 after SIGINT ($RC)" [ "$RC" -eq 0 ]
else
	fail "xdpbridge fwd p0 p1 did not start in node fwd"
fi
run "$XL" down "$F"
check "fwd lab: down leaves nothing" nothing_left "$N"

# ---- 2. the tun lab: a NIC queue into a TUN ----------------------------------------------------------
F=$TMP/tun.lab
sed "s/^lab tun\$/lab ${LAB}t/" "$EX/tun.lab" > "$F"
N=${LAB}t
run "$XL" up --test "$F"
show_out
checkx "tun lab: up --test exit 0 ($RC)" '[ "$RC" -eq 0 ] && grep -q "^all 2 expectations hold$" <<<"$OUT"'
if bridge_start tun "$F" b 'bridging vb <-> tun0 on [0-9]+ queue' tun vb --tun tun0; then
	ok "xdpbridge tun vb --tun tun0 runs in node b"
	# tun0 exists only while the bridge runs: its addresses cannot be in the lab file.
	run "$XL" exec -f "$F" b -- ip addr add 198.18.8.2/24 dev tun0
	run "$XL" exec -f "$F" b -- ip addr add 2001:2:8::2/64 dev tun0 nodad
	checkx "a pings tun0 (198.18.8.2) through the bridge" \
		'"$XL" exec -f "$F" a -- ping -n -q -c 3 -i 0.2 -W 2 198.18.8.2 >/dev/null'
	checkx "a pings tun0 (2001:2:8::2) through the bridge" \
		'"$XL" exec -f "$F" a -- ping -6 -n -q -c 3 -i 0.2 -W 2 2001:2:8::2 >/dev/null'
	bridge_stop "$BR_PID"
	check "xdpbridge tun: exit 0 after SIGINT ($RC)" [ "$RC" -eq 0 ]
else
	fail "xdpbridge tun did not start in node b"
fi
run "$XL" down "$F"
check "tun lab: down leaves nothing" nothing_left "$N"

if [ $fails -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all checks passed"
exit 0
