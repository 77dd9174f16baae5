#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# xdplab's routed labs and the directives of issue 14, end to end (root):
#   1. tools/xdplab/examples/routed.lab (a -> b router -> c): up; a pings c over IPv4 and IPv6 at
#      once (ping, not xdplab); 'test' holds (table and --json); 'graph' parsed by Graphviz's
#      dot -Tsvg, a PNG and an SVG written; down leaves nothing;
#   2. up --test with an expectation that cannot hold: exit 1, the lab stays up, test says which;
#   3. a route to a gateway on no link, a sysctl key the node does not have, an exec line that
#      fails and one that outlives its timeout (and what it started): each rolls back to nothing;
#   4. delay on a link: netem where the kernel has it, else up says the kernel has none (its words)
#      and rolls back; tbf (rate) is checked in 5 either way;
#   5. a lab with every new directive (bridge and ports, offload switches, rate, sysctls of the
#      node and of an interface, routes via/dev/default, a static neighbour, exec lines,
#      expectations), read back with iproute2, tc and the ethtool ioctl from python3; iperf3
#      through the 20 Mbit/s link stays under the rate; then a failure injected at every step of
#      its up: no namespace, /run/netns entry, mount or interface left.
#
# Namespaces are xst<run>-<pid>[suffix]-<node>: tests/run.sh finds leftovers by the xst<run>-
# prefix.  Addresses: 198.18.0.0/15 and 2001:2::/48 only.  Exit 0 pass, 1 fail, 77 skip (not root).
set -u
. "$(dirname "$0")/lib.sh"

BIN=${XDPSOCK_BUILD:-build}/bin
XL=$BIN/xdplab
LAB=xst${XST_RUN:-0}-$$

need_root "network namespaces, veth, routes, mounts under /run/netns"
for t in ip tc python3 ping dot iperf3 timeout; do
	command -v "$t" >/dev/null || { echo "FAIL: $t is missing ('make deps' installs it)"; exit 1; }
done
[ -x "$XL" ] || { echo "FAIL: no $XL ('make' builds it)"; exit 1; }
# The examples live in the source tree (the runner copies only it_*.sh into the build tree).
examples() {
	local d i
	d=$(cd "$(dirname "$0")" && pwd)
	for ((i = 0; i < 6; i++)); do
		[ -f "$d/tools/xdplab/examples/routed.lab" ] && { echo "$d/tools/xdplab/examples"; return 0; }
		d=$(dirname "$d")
	done
	[ -f "$PWD/tools/xdplab/examples/routed.lab" ] && { echo "$PWD/tools/xdplab/examples"; return 0; }
	return 1
}
EX=$(examples) || { echo "FAIL: tools/xdplab/examples not found above $(dirname "$0") or in $PWD"; exit 1; }
make_tmp

on_cleanup() {
	local f ns
	for f in "$TMP"/*.lab; do [ -f "$f" ] && "$XL" down "$f" >/dev/null 2>&1; done
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$LAB"); do ip netns del "$ns"; done
	rm -rf "$TMP"
}

checkx() {	# description, shell condition (evaluated here, with the test's variables)
	local what=$1
	if eval "$2"; then ok "$what"; else fail "$what"; fi
}
# rc of a command, its output (stdout and stderr) in $OUT.
run() { OUT=$("$@" 2>&1); RC=$?; }
show_out() { echo "$OUT" | sed 's/^/     | /'; }
# No namespace, /run/netns entry or mount of lab $1 left.
nothing_left() {
	! ip netns list | awk '{print $1}' | grep -q "^$1-" &&
		! ls /run/netns 2>/dev/null | grep -q "^$1-" &&
		! grep -q "/run/netns/$1-" /proc/self/mountinfo
}
# None of the lab's interface names exists in this (the test's) namespace.
none_here() { ! ip -o link show | grep -qE '^[0-9]+: (e0|e1|p1|p2|br0)[@:]'; }
# A lab file from the routed example under another name: $1 = suffix, then lines to append.
routed() {
	local f=$TMP/routed$1.lab
	shift
	sed "s/^lab routed\$/lab $LAB$(basename "$f" .lab | sed 's/routed//')/" "$EX/routed.lab" > "$f"
	printf '%s\n' "$@" >> "$f"
	echo "$f"
}

# ---- 1. the routed example ------------------------------------------------------------------------
F=$(routed "")
R=$LAB		# its namespaces: $R-a, $R-b, $R-c
run "$XL" up "$F"
check "routed: up exit 0 ($RC)" [ "$RC" -eq 0 ]
[ "$RC" -eq 0 ] || show_out
# Right after up, with nothing else in between: a pings c through b, both families.
checkx "routed: a pings c over IPv4 at once (198.18.2.2)" 'ip netns exec "$R-a" ping -n -q -c 1 -W 2 198.18.2.2 >/dev/null'
checkx "routed: a pings c over IPv6 at once (2001:2:0:2::2)" \
	'ip netns exec "$R-a" ping -6 -n -q -c 1 -W 2 2001:2:0:2::2 >/dev/null'
checkx "routed: forwarding on in b only" \
	'[ "$(ip netns exec "$R-b" cat /proc/sys/net/ipv4/ip_forward)$(ip netns exec "$R-a" cat /proc/sys/net/ipv4/ip_forward)" = 10 ]'
checkx "routed: a's default routes are the file's (proto static)" \
	'ip -n "$R-a" route show default | grep -q "default via 198.18.1.2 dev eth0 proto static" &&
	 ip -n "$R-a" -6 route show default | grep -q "default via 2001:2:0:1::2 dev eth0 proto static"'
run "$XL" test "$F"
show_out
checkx "routed: test exit 0, all 5 expectations hold ($RC)" '[ "$RC" -eq 0 ] && grep -q "^all 5 expectations hold$" <<<"$OUT"'
checkx "routed: test names b's answer for the unreachable address" \
	'grep -E "no-ping +198.18.3.1 +ok +no reply in 1000 ms \(198.18.1.2 says destination unreachable\)" <<<"$OUT" >/dev/null'
check "routed: test --json: all hold, each with its round trip" python3 -c '
import json, subprocess, sys
r = subprocess.run([sys.argv[1], "test", "--json", sys.argv[2]], capture_output=True, text=True)
j = json.loads(r.stdout)
assert r.returncode == 0 and j["all_hold"] and j["held"] == 5 and j["failed"] == 0, (r.returncode, j)
e = j["expectations"]
assert [x["expect"] for x in e] == ["ping"] * 4 + ["no-ping"], e
assert all(x["replied"] and x["rtt_ms"] > 0 for x in e[:4]) and not e[4]["replied"], e
' "$XL" "$F"

# graph: Graphviz parses it; PNG and SVG written by extension.
run bash -c "'$XL' graph '$F' | dot -Tsvg -o '$TMP/routed.svg'"
checkx "graph: dot -Tsvg parses its DOT (exit $RC)" '[ "$RC" -eq 0 ] && grep -q "<svg" "$TMP/routed.svg"'
run "$XL" graph "$F" -o "$TMP/routed.png"
checkx "graph -o routed.png: a PNG image ($RC)" \
	'[ "$RC" -eq 0 ] && [ "$(head -c 8 "$TMP/routed.png" | od -An -tx1 | tr -d " ")" = 89504e470d0a1a0a ]'
run "$XL" graph "$F" -o "$TMP/g.svg"
checkx "graph -o g.svg: an SVG with the three nodes ($RC)" \
	'[ "$RC" -eq 0 ] && [ "$(grep -c "<title>cluster_[abc]</title>" "$TMP/g.svg")" = 3 ]'
run "$XL" graph "$F" -o "$TMP/g.jpg"
checkx "graph -o g.jpg: exit 2, the kinds it writes named ($RC)" '[ "$RC" -eq 2 ] && grep -q "end it in .dot or .gv (DOT), .svg or .png" <<<"$OUT"'

run "$XL" down "$F"
checkx "routed: down exit 0 ($RC)" '[ "$RC" -eq 0 ] && grep -q "removed 3 namespaces" <<<"$OUT"'
check "routed: nothing left" nothing_left "$R"

# ---- 2. up --test: an expectation that cannot hold ------------------------------------------------
F=$(routed t "expect a ping 198.18.2.99")
run "$XL" up --test "$F"
show_out
checkx "up --test: exit 1 ($RC), the failing line named, the lab kept" \
	'[ "$RC" -eq 1 ] && grep -qE "^  30 +a +ping +198.18.2.99 +FAIL" <<<"$OUT" &&
	 grep -q "1 of 6 expectations does not hold; the lab stays up" <<<"$OUT" && ip netns list | grep -q "^${LAB}t-a"'
run "$XL" test "$F"
checkx "test on it: exit 1 ($RC)" '[ "$RC" -eq 1 ] && grep -q "^1 of 6 expectations does not hold$" <<<"$OUT"'
"$XL" down "$F" >/dev/null
check "up --test: down removes it" nothing_left "${LAB}t"

# ---- 3. failures that roll back to nothing --------------------------------------------------------
F=$(routed g "route c 198.18.5.0/24 via 198.18.7.1")
run "$XL" up "$F"
show_out
checkx "route to a gateway on no link: exit 1 ($RC), line, kernel and cause named" \
	'[ "$RC" -eq 1 ] && grep -q "routedg.lab:30: cannot add route 198.18.5.0/24 via 198.18.7.1 in node c: Nexthop has invalid gateway" <<<"$OUT" &&
	 grep -q "no address of node c is on the gateway.s subnet" <<<"$OUT" && grep -q "rolled back: removed the 3 namespaces and 2 interfaces" <<<"$OUT"'
check "... nothing left" nothing_left "${LAB}g"

F=$(routed s "sysctl c net.ipv4.ip_forwarding=1")
run "$XL" up "$F"
show_out
checkx "a sysctl key the node has not: exit 1 ($RC), line and key named" \
	'[ "$RC" -eq 1 ] && grep -q "routeds.lab:30: node c has no sysctl net.ipv4.ip_forwarding (no /proc/sys/net/ipv4/ip_forwarding in its namespace)" <<<"$OUT" &&
	 grep -q "rolled back" <<<"$OUT"'
check "... nothing left" nothing_left "${LAB}s"

F=$(routed x "exec c -- sh -c 'exit 3'")
run "$XL" up "$F"
checkx "an exec line that fails: exit 1 ($RC), command and status named" \
	'[ "$RC" -eq 1 ] && grep -q "routedx.lab:30: .sh -c exit 3. in node c exited with status 3; rolled back" <<<"$OUT"'
check "... nothing left" nothing_left "${LAB}x"

MARK="xst-marker-$$"
F=$(routed w "exec b timeout 1 -- sh -c 'sleep 30; : $MARK'")
run timeout 20 "$XL" up "$F"
checkx "an exec line past its timeout: exit 1 ($RC), stopped after 1 s" \
	'[ "$RC" -eq 1 ] && grep -q "did not finish within 1 s: stopped it" <<<"$OUT"'
checkx "... what it started is stopped too" '! pgrep -f "$MARK" >/dev/null'
check "... nothing left" nothing_left "${LAB}w"

# ---- 4. delay: netem, or the kernel's refusal said --------------------------------------------------
# Probe in a namespace of our own: does this kernel have netem at all?
ip netns add "${LAB}p" && ip -n "${LAB}p" link add p0 type veth peer name p1 &&
	PROBE=$(tc -n "${LAB}p" qdisc add dev p0 root netem delay 1ms 2>&1)
NETEM=$?
ip netns del "${LAB}p" 2>/dev/null
F=$(routed d "iface b:eth1 delay 5ms")
run "$XL" up "$F"
if [ "$NETEM" -eq 0 ]; then
	checkx "delay 5ms: up builds netem ($RC)" '[ "$RC" -eq 0 ] && tc -n "${LAB}d-b" qdisc show dev eth1 | grep -q "netem"'
	"$XL" down "$F" >/dev/null
else
	echo "KERNEL-REFUSED netem: $PROBE (tbf, the rate limit, is tested below)"
	checkx "delay 5ms without netem: exit 1 ($RC), says the kernel has none, in its words" \
		'[ "$RC" -eq 1 ] && grep -q "routedd.lab:30: this kernel has no netem, which delay and loss need (it answered: Specified qdisc kind is unknown" <<<"$OUT" &&
		 grep -q "rate alone works (tbf)" <<<"$OUT" && grep -q "rolled back" <<<"$OUT"'
fi
check "... nothing left" nothing_left "${LAB}d"

# ---- 5. every new directive ---------------------------------------------------------------------
K=$TMP/k.lab
cat > "$K" <<EOF
lab ${LAB}k
node a b r
veth a:e0 r:e0 offload tx off tso off
veth b:e0 r:e1
veth r:p1 r:p2
bridge r:br0 ports p1 p2
iface a:e0 addr 198.18.1.1/24 addr 2001:2:0:1::1/64
iface r:e0 addr 198.18.1.2/24 addr 2001:2:0:1::2/64 offload tx on
iface r:e1 addr 198.18.2.1/24 rate 20mbit
iface b:e0 addr 198.18.2.2/24
iface r:br0 addr 198.18.3.1/24 mtu 1400 mac 02:00:00:00:0b:0b
sysctl r net.ipv4.ip_forward=1
sysctl r net.ipv4.conf.e0.rp_filter=2
route a default via 198.18.1.2
route a 2001:2:0:9::/64 via 2001:2:0:1::2 dev e0
route b 198.18.0.0/16 via 198.18.2.1
route b 198.18.4.0/24 dev e0
neigh a:e0 198.18.1.9 02:00:00:00:00:09
exec r -- ip addr add 198.18.5.1/32 dev lo
exec b -- sh -c "test \$(cat /proc/sys/net/ipv4/ip_forward) = 0 # b does not forward"
expect a ping 198.18.2.2
expect b ping 198.18.3.1
expect b ping 198.18.5.1
EOF
run "$XL" up -v "$K"
show_out
check "every directive: up exit 0 ($RC)" [ "$RC" -eq 0 ]
STEPS=$(grep -c '^  \[[0-9]*\]' <<<"$OUT")
N=${LAB}k
checkx "bridge: p1 and p2 are br0's ports, br0 is up with its MTU and MAC" \
	'[ "$(ip -n "$N-r" -o link show master br0 | awk -F": " "{print \$2}" | cut -d@ -f1 | sort | tr "\n" " ")" = "p1 p2 " ] &&
	 ip -n "$N-r" link show dev br0 | grep -q "mtu 1400 .*state UP" &&
	 ip -n "$N-r" link show dev br0 | grep -q "link/ether 02:00:00:00:0b:0b"'
# The ethtool ioctl from python3, inside the node: 1 on, 0 off.
ethv() {	# node ifname cmd(hex) -> value
	ip netns exec "$N-$1" python3 -c '
import array, fcntl, socket, struct, sys
v = array.array("I", [int(sys.argv[2], 16), 0])
ifr = struct.pack("16sQ16x", sys.argv[1].encode(), v.buffer_info()[0])
fcntl.ioctl(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), 0x8946, ifr)  # SIOCETHTOOL
print(v[1])' "$2" "$3"
}
# ETHTOOL_GTXCSUM 0x16, ETHTOOL_GTSO 0x1e: the veth line's switches on both ends, r:e0's own line wins.
checkx "offloads: tx and tso off on a:e0, tx back on on r:e0, b:e0 untouched" \
	'[ "$(ethv a e0 0x16)$(ethv a e0 0x1e) $(ethv r e0 0x16) $(ethv b e0 0x16)$(ethv b e0 0x1e)" = "00 1 11" ]'
check "tbf: 20 Mbit/s on r:e1, nowhere else" python3 -c '
import json, subprocess, sys
q = json.loads(subprocess.check_output(["tc", "-n", sys.argv[1], "-j", "qdisc", "show", "dev", "e1"]))
assert q[0]["kind"] == "tbf" and q[0]["root"] and q[0]["options"]["rate"] == 20000000 // 8, q
q = json.loads(subprocess.check_output(["tc", "-n", sys.argv[1], "-j", "qdisc", "show", "dev", "e0"]))
assert all(x["kind"] != "tbf" for x in q), q
' "$N-r"
checkx "sysctls: ip_forward 1 and e0's rp_filter 2 in r, left alone elsewhere" \
	'[ "$(ip netns exec "$N-r" cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/e0/rp_filter | tr -d "\n")$(ip netns exec "$N-a" cat /proc/sys/net/ipv4/ip_forward)" = 120 ]'
check "routes: via, dev, default, IPv6, each proto static" python3 -c '
import json, subprocess, sys
n = sys.argv[1]
def routes(node, *fam):
    return json.loads(subprocess.check_output(["ip", "-n", f"{n}-{node}", *fam, "-j", "route", "show", "proto", "static"]))
b = {r["dst"]: r for r in routes("b")}
assert b["198.18.0.0/16"]["gateway"] == "198.18.2.1" and b["198.18.4.0/24"]["dev"] == "e0", b
assert b["198.18.4.0/24"].get("scope") == "link" and "gateway" not in b["198.18.4.0/24"], b
a = {r["dst"]: r for r in routes("a")}
assert a["default"]["gateway"] == "198.18.1.2", a
a6 = {r["dst"]: r for r in routes("a", "-6")}
assert a6["2001:2:0:9::/64"]["gateway"] == "2001:2:0:1::2" and a6["2001:2:0:9::/64"]["dev"] == "e0", a6
' "$N"
checkx "neighbour: 198.18.1.9 is 02:00:00:00:00:09 on a:e0, permanent" \
	'ip -n "$N-a" neigh show dev e0 | grep -q "198.18.1.9 lladdr 02:00:00:00:00:09 PERMANENT"'
checkx "exec: its command ran in r (198.18.5.1 on r's lo)" 'ip -n "$N-r" -o addr show dev lo | grep -q "198.18.5.1/32"'
run "$XL" test "$K"
checkx "test: the 3 expectations hold ($RC)" '[ "$RC" -eq 0 ] && grep -q "^all 3 expectations hold$" <<<"$OUT"'
check "show --json: up, bridge ports as the file says" python3 -c '
import json, subprocess, sys
d = json.loads(subprocess.check_output([sys.argv[1], "show", "--json", sys.argv[2]]))
lab = d["labs"][0]
assert lab["state"] == "up", lab["state"]
ifs = {i["name"]: i for n in lab["nodes"] if n["name"] == "r" for i in n["interfaces"]}
assert ifs["p1"]["master"] == "br0" and ifs["br0"]["kind"] == "bridge", ifs
assert [l for l in lab["links"] if l["kind"] == "bridge"][0]["ports"] == "p1 p2", lab["links"]
' "$XL" "$K"
# The rate limit as a user sees it: TCP a -> b crosses r:e1's 20 Mbit/s tbf (bounded: 2 s).
ip netns exec "$N-b" timeout 15 iperf3 -s -1 -B 198.18.2.2 > "$TMP/iperf-s.out" 2>&1 &
IPID=$!
for ((i = 0; i < 50; i++)); do grep -q listening "$TMP/iperf-s.out" 2>/dev/null && break; sleep 0.1; done
ip netns exec "$N-a" timeout 15 iperf3 -c 198.18.2.2 -t 2 -J > "$TMP/iperf.json" 2>&1
kill "$IPID" 2>/dev/null
wait "$IPID" 2>/dev/null
check "tbf: iperf3 TCP a -> b through r:e1 stays under 20 Mbit/s (and moves)" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
r = j["end"]["sum_received"]["bits_per_second"] / 1e6
print("     iperf3 through the 20mbit tbf: %.1f Mbit/s" % r)
sys.exit(0 if 5 < r <= 21 else 1)
' "$TMP/iperf.json"
run "$XL" down "$K"
checkx "every directive: down ($RC)" '[ "$RC" -eq 0 ] && grep -q "removed 3 namespaces and 4 interfaces" <<<"$OUT"'
check "every directive: nothing left" nothing_left "$N"
check "every directive: no lab interface in this namespace" none_here

# A failure at every step of that up: routes, sysctls, neighbours, bridge ports, offloads, tbf and
# exec lines included, each rolls back to nothing.
check "up -v counted its steps ($STEPS)" [ "$STEPS" -ge 30 ]
left=0
for ((n = 1; n <= STEPS; n++)); do
	run env XDPLAB_FAIL_STEP=$n "$XL" up "$K"
	if [ "$RC" -ne 1 ] || ! grep -q "XDPLAB_FAIL_STEP=$n" <<<"$OUT" || ! nothing_left "$N" || ! none_here; then
		fail "failure at step $n: exit $RC, left: $(ls /run/netns | grep "^$N" | tr '\n' ' ') -- $OUT"
		left=1
		"$XL" down "$K" >/dev/null 2>&1
	fi
done
[ $left -eq 0 ] && ok "a failure at any of the $STEPS steps of up leaves nothing behind"
run env XDPLAB_FAIL_STEP=$((STEPS + 1)) "$XL" up "$K"
check "with no step failing, up succeeds ($RC)" [ "$RC" -eq 0 ]
"$XL" down "$K" >/dev/null
check "and down removes it all" nothing_left "$N"

if [ $fails -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all checks passed"
exit 0
