#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# xdplab end to end (root).  A three-node lab, a -- b -- c, with 4 queues on a -- b and a macvlan on
# b's link to c, is brought up and checked by independent clients: iproute2's JSON read by python3,
# ping, the ethtool GRO ioctl issued from python3, sysfs through `ip netns exec`, and xdpbridge when
# it is built.  Then `down`, and rollbacks: a third link whose name clashes in the kernel, and a
# failure injected at every step of `up`.  After each, nothing may be left: no namespace, no
# /run/netns entry, no mount, no interface in this namespace.
#
# Namespaces are xst<run>-<pid>[r]-<node>: tests/run.sh finds leftovers by the xst<run>- prefix.
# Addresses: 198.18.0.0/15 and 2001:2::/48 only.  Exit 0 pass, 1 fail, 77 skip (not root).
set -u
. "$(dirname "$0")/lib.sh"

BIN=${XDPSOCK_BUILD:-build}/bin
XL=$BIN/xdplab
LAB=xst${XST_RUN:-0}-$$

need_root "network namespaces, veth, macvlan, mounts under /run/netns"
for t in ip python3 ping; do
	command -v "$t" >/dev/null || { echo "FAIL: $t is missing ('make deps' installs it)"; exit 1; }
done
[ -x "$XL" ] || { echo "FAIL: no $XL ('make' builds it)"; exit 1; }
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
# No namespace, /run/netns entry or mount of lab $1 left.
nothing_left() {
	! ip netns list | awk '{print $1}' | grep -q "^$1-" &&
		! ls /run/netns 2>/dev/null | grep -q "^$1-" &&
		! grep -q "/run/netns/$1-" /proc/self/mountinfo
}
# None of the lab's interface names exists in this (the test's) namespace.
none_here() { ! ip -o link show | grep -qE '^[0-9]+: (xla0|xlb0|xlb1|xlc0|xlbm|xr0|xr1)[@:]'; }
# rc of a command, its output in $OUT.
run() { OUT=$("$@" 2>&1); RC=$?; }

F=$TMP/lab.lab
cat > "$F" <<EOF
# it_xdplab.sh: a -- b -- c
lab $LAB
node a b c
veth a:xla0 b:xlb0 queues 4 mtu 9000 gro
iface a:xla0 mac 02:00:00:00:0a:01 addr 198.18.1.1/24 addr 2001:2:0:1::1/64
iface b:xlb0 mac 02:00:00:00:0b:01 addr 198.18.1.2/24 addr 2001:2:0:1::2/64 threaded
veth b:xlb1 c:xlc0 mtu 1500
iface b:xlb1 addr 198.18.2.1/24
iface c:xlc0 queues 2 addr 198.18.2.2/24 addr 2001:2:0:2::2/64
macvlan b:xlbm parent xlb1 mode bridge mac 02:00:00:00:0b:03 addr 198.18.2.3/24
EOF

# ---- a bad file: exit 2, the line named, nothing made ---------------------------------------------
sed 's/mode bridge/mode brige/' "$F" > "$TMP/bad.lab"
run "$XL" up "$TMP/bad.lab"
check "bad file: exit 2 ($RC)" [ "$RC" -eq 2 ]
check "bad file: line and cause named" grep -q "bad.lab:10: unknown macvlan mode 'brige' (expected bridge, private, vepa or passthru)" <<<"$OUT"
check "bad file: nothing created" nothing_left "$LAB"

# ---- up ------------------------------------------------------------------------------------------
run "$XL" up -v "$F"
echo "$OUT" | sed 's/^/     | /'
check "up: exit 0" [ "$RC" -eq 0 ]
STEPS=$(grep -c '^  \[[0-9]*\]' <<<"$OUT")

# Every interface, address, MTU, MAC and queue count as written, read back with iproute2.
check "iproute2 sees the lab as written" python3 - "$LAB" <<'EOF'
import json, subprocess, sys
lab = sys.argv[1]
exp = {
    "a": {"xla0": dict(kind="veth", mtu=9000, mac="02:00:00:00:0a:01", q=4,
                       addrs={"198.18.1.1/24", "2001:2:0:1::1/64"})},
    "b": {"xlb0": dict(kind="veth", mtu=9000, mac="02:00:00:00:0b:01", q=4,
                       addrs={"198.18.1.2/24", "2001:2:0:1::2/64"}),
          "xlb1": dict(kind="veth", mtu=1500, addrs={"198.18.2.1/24"}),
          "xlbm": dict(kind="macvlan", mtu=1500, mac="02:00:00:00:0b:03", mode="bridge", parent="xlb1",
                       addrs={"198.18.2.3/24"})},
    "c": {"xlc0": dict(kind="veth", mtu=1500, q=2, addrs={"198.18.2.2/24", "2001:2:0:2::2/64"})},
}
bad = []
def ip(ns, *args):
    return json.loads(subprocess.check_output(["ip", "-n", ns, "-j"] + list(args)))
for node, ifs in exp.items():
    ns = f"{lab}-{node}"
    links = {l["ifname"]: l for l in ip(ns, "-d", "link", "show")}
    addrs = {a["ifname"]: a for a in ip(ns, "addr", "show")}
    if set(links) != set(ifs) | {"lo"}:
        bad.append(f"{ns}: interfaces {sorted(links)}, expected {sorted(set(ifs) | {'lo'})}")
    if "UP" not in links.get("lo", {}).get("flags", []):
        bad.append(f"{ns}: lo is not up")
    for name, e in ifs.items():
        l = links.get(name)
        if not l:
            continue
        got = dict(kind=l.get("linkinfo", {}).get("info_kind"), mtu=l["mtu"])
        if "mac" in e: got["mac"] = l["address"]
        if "q" in e: got["q"] = (l["num_rx_queues"], l["num_tx_queues"])
        if "mode" in e: got["mode"] = l["linkinfo"]["info_data"]["mode"]
        if "parent" in e: got["parent"] = l.get("link")
        want = {k: ((v, v) if k == "q" else v) for k, v in e.items() if k != "addrs"}
        for k in want:
            if got.get(k) != want[k]:
                bad.append(f"{ns} {name}: {k} {got.get(k)}, expected {want[k]}")
        if e["kind"] == "veth" and "link_netnsid" not in l:
            bad.append(f"{ns} {name}: its peer is not in another namespace")
        if not {"UP", "LOWER_UP"} <= set(l["flags"]) or l["operstate"] != "UP":
            bad.append(f"{ns} {name}: flags {l['flags']} operstate {l['operstate']}")
        have = {f"{a['local']}/{a['prefixlen']}" for a in addrs[name]["addr_info"] if a.get("scope") == "global"}
        if have != e["addrs"]:
            bad.append(f"{ns} {name}: addresses {sorted(have)}, expected {sorted(e['addrs'])}")
for b in bad:
    print("     ", b)
sys.exit(1 if bad else 0)
EOF

# GRO, through the ethtool ioctl from inside each namespace (not through xdplab).
gro() {	# node ifname -> prints 1 or 0
	ip netns exec "$LAB-$1" python3 -c '
import array, fcntl, socket, struct, sys
v = array.array("I", [0x2b, 0])                                    # ETHTOOL_GGRO
ifr = struct.pack("16sQ16x", sys.argv[1].encode(), v.buffer_info()[0])
fcntl.ioctl(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), 0x8946, ifr)  # SIOCETHTOOL
print(v[1])' "$2"
}
# Usable queues (ethtool channels), which veth may keep below the allocated ones that ip shows.
chan() {	# node ifname -> prints rx/tx
	ip netns exec "$LAB-$1" python3 -c '
import array, fcntl, socket, struct, sys
c = array.array("I", [0x3c] + [0] * 8)                             # ETHTOOL_GCHANNELS
ifr = struct.pack("16sQ16x", sys.argv[1].encode(), c.buffer_info()[0])
fcntl.ioctl(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), 0x8946, ifr)
print(f"{c[5]}/{c[6]}")' "$2"
}
check "usable queues: a:xla0 4/4, b:xlb0 4/4, c:xlc0 2/2 (the second end of its pair)" \
	[ "$(chan a xla0) $(chan b xlb0) $(chan c xlc0)" = "4/4 4/4 2/2" ]
check "gro on a:xla0 and b:xlb0" [ "$(gro a xla0)$(gro b xlb0)" = 11 ]
check "gro left alone on b:xlb1" [ "$(gro b xlb1)" = 0 ]
check "threaded NAPI on b:xlb0 (sysfs via ip netns exec)" \
	[ "$(ip netns exec "$LAB-b" cat /sys/class/net/xlb0/threaded)" = 1 ]

# Traffic, inside the lab only.
checkx "ping a -> b (IPv4)" 'ip netns exec "$LAB-a" ping -q -c 1 -W 2 198.18.1.2 >/dev/null'
checkx "ping a -> b (IPv6)" 'ip netns exec "$LAB-a" ping -6 -q -c 1 -W 2 2001:2:0:1::2 >/dev/null'
checkx "ping c -> b's macvlan" 'ip netns exec "$LAB-c" ping -q -c 1 -W 2 198.18.2.3 >/dev/null'

# exec, both spellings, and its exit statuses.
run "$XL" exec -f "$F" a -- ip -o addr show dev xla0
check "exec -f FILE NODE runs in the node" grep -q "inet 198.18.1.1/24" <<<"$OUT"
run "$XL" exec "$LAB/b" -- cat /sys/class/net/xlb0/threaded
checkx "exec LAB/NODE sees the node's sysfs" '[ "$RC" -eq 0 ] && [ "$OUT" = 1 ]'
run "$XL" exec "$LAB/a" sh -c 'exit 7'
check "exec passes the command's status through (7: $RC)" [ "$RC" -eq 7 ]
run "$XL" exec "$LAB/a" -- /nonexistent/cmd
check "exec of a missing command: 127 ($RC)" [ "$RC" -eq 127 ]
run "$XL" exec -f "$F" zz -- true
checkx "exec -f with an unknown node: 2 ($RC)" '[ "$RC" -eq 2 ] && grep -q "has no node .zz. (its nodes: a b c)" <<<"$OUT"'
run "$XL" exec "${LAB}q/a" -- true
checkx "exec into a lab that is not up: 1 ($RC)" '[ "$RC" -eq 1 ] && grep -q "is the lab up?" <<<"$OUT"'

# show, with and without the file.
check "show --json FILE: up, every interface ok, both veths paired" python3 -c '
import json, subprocess, sys
d = json.loads(subprocess.check_output([sys.argv[1], "show", "--json", sys.argv[2]]))
lab = d["labs"][0]
ifs = [i for n in lab["nodes"] for i in n["interfaces"]]
assert lab["state"] == "up", lab["state"]
assert len(ifs) == 5 and all(i["status"] == "ok" for i in ifs), ifs
assert [l["paired"] for l in lab["links"] if l["kind"] == "veth"] == [True, True], lab["links"]
q = {i["name"]: (i["rx_queues"], i["tx_queues"], i["gro"]) for i in ifs}
assert q["xla0"] == (4, 4, True) and q["xlc0"][:2] == (2, 2), q
' "$XL" "$F"
check "show (no file) finds the lab by its tag" python3 -c '
import json, subprocess, sys
d = json.loads(subprocess.check_output([sys.argv[1], "show", "--json"]))
labs = {l["name"]: l for l in d["labs"]}
assert sys.argv[2] in labs, list(labs)
assert [n["name"] for n in labs[sys.argv[2]]["nodes"]] == ["a", "b", "c"]
' "$XL" "$LAB"

# xdpbridge, when built and when its `list --json` answers (another engineer's work in progress: this
# part is conditional and only reports when it cannot check).
XB=$BIN/xdpbridge
if [ -x "$XB" ] && ip netns exec "$LAB-a" "$XB" list --json xla0 > "$TMP/xb.json" 2>/dev/null; then
	for nq in a:xla0:4 c:xlc0:2; do
		IFS=: read -r node ifname q <<<"$nq"
		ip netns exec "$LAB-$node" "$XB" list --json "$ifname" > "$TMP/xb.json" 2>/dev/null
		python3 - "$TMP/xb.json" "$ifname" "$q" <<'EOF'
import json, sys
path, name, q = sys.argv[1], sys.argv[2], int(sys.argv[3])
def find(o):
    if isinstance(o, dict):
        if o.get("name") == name or o.get("ifname") == name:
            return o
        o = list(o.values())
    if isinstance(o, list):
        for v in o:
            r = find(v)
            if r: return r
try:
    obj = find(json.load(open(path)))
    qs = obj["queues"]
    got = (qs["rx"], qs["tx"])
except Exception as e:
    print(f"note xdpbridge list --json: no queue counts recognised for {name} ({e!r}): not checked")
    sys.exit(0)
sys.exit(0 if got == (q, q) else 1)
EOF
		check "xdpbridge list --json inside $node reports $q queues on $ifname" [ $? -eq 0 ]
	done
else
	echo "note xdpbridge list --json is not available here: its queue-count check is skipped"
fi

# up again: refused, and the lab untouched.
run "$XL" up "$F"
checkx "up on a lab that is up: exit 1 ($RC)" '[ "$RC" -eq 1 ] && grep -q "lab $LAB is already up (namespace $LAB-a exists)" <<<"$OUT"'
checkx "... and it is still up" 'ip netns exec "$LAB-a" ping -q -c 1 -W 2 198.18.1.2 >/dev/null'

# ---- down ----------------------------------------------------------------------------------------
run "$XL" down "$F"
checkx "down: exit 0 ($RC)" '[ "$RC" -eq 0 ] && grep -q "removed 3 namespaces and 3 interfaces" <<<"$OUT"'
check "down: no namespace, netns file or mount left" nothing_left "$LAB"
check "down: no lab interface in this namespace" none_here
run "$XL" down "$F"
checkx "down again: exit 0, nothing to do" '[ "$RC" -eq 0 ] && grep -q "was not up" <<<"$OUT"'

# ---- rollback: the third link clashes with what the kernel made (every namespace has a lo) -------
R=$TMP/rb.lab
cat > "$R" <<EOF
lab ${LAB}r
node a b c
veth a:xr0 b:xr0 queues 2
veth b:xr1 c:xr0
veth c:lo a:xr1
EOF
run "$XL" up -v "$R"
echo "$OUT" | sed 's/^/     | /'
check "name clash: exit 1 ($RC)" [ "$RC" -eq 1 ]
check "name clash: line, link and cause named" grep -q "rb.lab:5: cannot create veth c:lo -- a:xr1: node c already has an interface named lo" <<<"$OUT"
check "name clash: rolled back" grep -q "rolled back: removed the 3 namespaces and 2 interfaces created" <<<"$OUT"
check "name clash: interfaces undone before namespaces, newest first" python3 -c '
import sys
undo = [l.split()[-1] for l in sys.stdin if "undo: removed" in l]
assert undo == ["xr1", "xr0", sys.argv[1] + "r-c", sys.argv[1] + "r-b", sys.argv[1] + "r-a"], undo
' "$LAB" <<<"$OUT"
check "name clash: nothing left" nothing_left "${LAB}r"
check "name clash: no lab interface in this namespace" none_here

# ---- rollback from every step of up --------------------------------------------------------------
check "up -v counted its steps ($STEPS)" [ "$STEPS" -ge 20 ]
left=0
for ((n = 1; n <= STEPS; n++)); do
	run env XDPLAB_FAIL_STEP=$n "$XL" up "$F"
	if [ "$RC" -ne 1 ] || ! grep -q "XDPLAB_FAIL_STEP=$n" <<<"$OUT" || ! nothing_left "$LAB" || ! none_here; then
		fail "failure at step $n: exit $RC, left: $(ls /run/netns | grep "^$LAB" | tr '\n' ' ') -- $OUT"
		left=1
		"$XL" down "$F" >/dev/null 2>&1
	fi
done
[ $left -eq 0 ] && ok "a failure at any of the $STEPS steps of up leaves nothing behind"
run env XDPLAB_FAIL_STEP=$((STEPS + 1)) "$XL" up "$F"
check "with no step failing, up succeeds ($RC)" [ "$RC" -eq 0 ]
run "$XL" down "$F"
check "and down removes it all" nothing_left "$LAB"

if [ $fails -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all checks passed"
exit 0
