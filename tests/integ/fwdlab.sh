# SPDX-License-Identifier: MIT OR Apache-2.0
# shellcheck shell=bash
#
# Shared helpers of the xdpbridge fwd tests (tests/integ/it_fwd*.sh), sourced, never run: the
# runner copies only it_*.sh into the build tree, so the scripts find this file in the source
# tree (see fwd_lib in each of them: it walks up from the script to tests/integ/fwdlab.sh).
#
# Topology (three namespaces, veth ends created directly in them, addresses 198.18.1.0/24 only):
#
#   $GEN: g0 198.18.1.1/24 <==veth==> p0 [$FWD: xdpbridge fwd p0 p1] p1 <==veth==> s0 198.18.1.2/24 :$SINK
#
# The bridge is a bump in the wire: gen and sink share a subnet and know each other's MAC
# (static neighbours).  Namespaces are xst<run>-<pid>-{gen,fwd,sink} (and -other, where a test
# moves a port away): tests/run.sh finds what a
# test left behind by the xst<run>- prefix.  fwd_cleanup (the scripts' EXIT trap) stops every
# process started here and removes the namespaces.

BUILD=${XDPSOCK_BUILD:-build}
BR=$BUILD/bin/xdpbridge
SEQ=$BUILD/tests/it_fwd_seq
PFX=xst${XST_RUN:-0}-$$
GEN=$PFX-gen
FWD=$PFX-fwd
SINK=$PFX-sink
OTHER=$PFX-other	# made by a test that moves a port out of $FWD
GEN_MAC=02:00:00:00:01:01
SINK_MAC=02:00:00:00:01:02
GEN_IP=198.18.1.1
SINK_IP=198.18.1.2
TMP=$(mktemp -d "/tmp/$PFX.XXXXXX") || exit 1
PIDS=()		# every background process started here
BR_PID=
fails=0

say() { echo "[$(date +%H:%M:%S.%N | cut -c1-12)] $*"; }
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
check() {	# description, command...
	local what=$1
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}

fwd_require() {	# test name: skip when not root, fail when a tool or binary is missing
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP $1: needs root (network namespaces, veth, XDP, AF_XDP)"
		exit 77
	fi
	local t
	for t in ip python3 ping timeout; do
		command -v "$t" >/dev/null || { echo "FAIL $1: $t is missing ('make deps' installs it)"; exit 1; }
	done
	for t in "$BR" "$SEQ"; do
		[ -x "$t" ] || { echo "FAIL $1: no $t ('make tests' builds it)"; exit 1; }
	done
	if ! "$BR" fwd --help >/dev/null 2>&1; then
		echo "FAIL $1: $BR has no 'fwd' command"
		exit 1
	fi
}

# Stop a process started here: SIGTERM, then SIGKILL after $2 seconds (default 3).
stop_pid() {
	local pid=$1 grace=${2:-3} i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < grace * 20; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	return 0
}

fwd_cleanup() {
	local pid ns
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do stop_pid "$pid" 2; done
	# Anything still running in our namespaces was started by this script (ip netns exec).
	for ns in "$GEN" "$FWD" "$SINK" "$OTHER"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
	done
	for ns in "$GEN" "$FWD" "$SINK" "$OTHER"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$TMP"
}

# In the foreground only: a function run with & is a subshell, and $! would not be the process.
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# Build the topology with $1 queues per veth end (default 1).
fwd_topo() {
	local q=${1:-1} ns
	for ns in "$GEN" "$FWD" "$SINK"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
		nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || return 1
	done
	ip link add g0 netns "$GEN" numtxqueues "$q" numrxqueues "$q" address "$GEN_MAC" type veth \
		peer name p0 netns "$FWD" numtxqueues "$q" numrxqueues "$q" address 02:00:00:00:01:10 || return 1
	ip link add s0 netns "$SINK" numtxqueues "$q" numrxqueues "$q" address "$SINK_MAC" type veth \
		peer name p1 netns "$FWD" numtxqueues "$q" numrxqueues "$q" address 02:00:00:00:01:11 || return 1
	ip -n "$GEN" addr add "$GEN_IP/24" dev g0 &&
	ip -n "$SINK" addr add "$SINK_IP/24" dev s0 &&
	ip -n "$GEN" link set g0 up &&
	ip -n "$SINK" link set s0 up &&
	ip -n "$FWD" link set p0 up &&
	ip -n "$FWD" link set p1 up &&
	ip -n "$GEN" neigh replace "$SINK_IP" lladdr "$SINK_MAC" dev g0 nud permanent &&
	ip -n "$SINK" neigh replace "$GEN_IP" lladdr "$GEN_MAC" dev s0 nud permanent || return 1
	# The kernel reports a link's operstate UP asynchronously (linkwatch, up to a second later):
	# wait, so that the bridge sees its ports as they are.
	oper_up "$FWD" p0 && oper_up "$FWD" p1 && oper_up "$GEN" g0 && oper_up "$SINK" s0
}

# Wait (bounded: 5 s) until $2 in namespace $1 reports operstate UP.
oper_up() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(ip netns exec "$1" cat "/sys/class/net/$2/operstate" 2>/dev/null)" = up ] && return 0
		sleep 0.05
	done
	echo "  $2 did not come up within 5 s"
	return 1
}

# Wait (bounded: $3 seconds) until file $1 contains a line matching extended regex $2.  Empty the
# file in the foreground before starting the process that writes it (: > file): the truncation by
# a background job's own redirection happens later, in the child, and a line left by an earlier
# run would be taken for the new one.
wait_for() {
	local f=$1 re=$2 secs=${3:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		grep -qE -- "$re" "$f" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# Wait (bounded: $2 seconds) for pid $1 to end; its exit status in $RC (255: still running).
wait_exit() {
	local pid=$1 secs=${2:-10} i
	RC=255
	for ((i = 0; i < secs * 20; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null
			RC=$?
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# Start `xdpbridge fwd p0 p1` in $FWD, options after the name tag $1; stdout/stderr in
# $TMP/$1.out/.err.  (env --default-signal: a script's background jobs inherit SIGINT ignored.)
# Sets BR_PID.  Returns 1 when it did not print its start-up line within 15 s.
bridge_start() {
	local tag=$1
	shift
	: > "$TMP/$tag.out"
	: > "$TMP/$tag.err"
	ip netns exec "$FWD" env --default-signal=INT "$BR" fwd p0 p1 "$@" > "$TMP/$tag.out" 2> "$TMP/$tag.err" &
	BR_PID=$!
	PIDS+=("$BR_PID")
	if ! wait_for "$TMP/$tag.err" 'forwarding p0 <-> p1 on [0-9]+ queue' 15; then
		echo "  the bridge did not start within 15 s; its stderr:"
		sed 's/^/  | /' "$TMP/$tag.err"
		return 1
	fi
	return 0
}

# Stop the bridge with signal $2 (default INT), wait for its exit: status in RC.
bridge_stop() {
	local pid=$1 sig=${2:-INT}
	kill -"$sig" "$pid" 2>/dev/null
	if ! wait_exit "$pid" 15; then
		echo "  the bridge did not exit within 15 s of SIG$sig: killing it"
		kill -KILL "$pid" 2>/dev/null
		wait_exit "$pid" 5
		RC=254
	fi
}

show() {	# label, file: indented copy in the log
	echo "  --- $1"
	sed 's/^/  | /' "$2"
}

# XDP program attached to $2 in namespace $1?  (iproute2's own view)
has_xdp() { ip -n "$1" -d link show dev "$2" 2>/dev/null | grep -qE 'prog/xdp|xdpgeneric|xdpdrv|xdp '; }

# One ICMP echo from gen to sink: proves a lone frame is forwarded both ways (flush when idle).
ping_once() { nsx "$GEN" ping -n -c 1 -W 2 "$SINK_IP" > "$TMP/ping.out" 2>&1; }

# Up to $1 single pings, 0.2 s apart, until one succeeds (forwarding resumed).
ping_until() {
	local n=$1 i
	for ((i = 0; i < n; i++)); do
		ping_once && return 0
		sleep 0.2
	done
	return 1
}

# Sequence-numbered one-way stream: seq_stream FROM_NS FROM_IF TO_NS TO_IF COUNT RATE [QUEUES].
# Sink first (waits for its "ready"), then the sender; both bounded.  Logs in $TMP/seq-*.
# SEQ_SINK_ARGS: more options for the sink (e.g. --max-len 1014).
seq_stream() {
	local fns=$1 fif=$2 tns=$3 tif=$4 count=$5 rate=$6 q=${7:-1} smac dmac sip dip spid gpid secs
	if [ "$fns" = "$GEN" ]; then
		smac=$GEN_MAC dmac=$SINK_MAC sip=$GEN_IP dip=$SINK_IP
	else
		smac=$SINK_MAC dmac=$GEN_MAC sip=$SINK_IP dip=$GEN_IP
	fi
	secs=$((count * q / rate + 20))
	: > "$TMP/seq-sink.out"
	: > "$TMP/seq-send.out"
	ip netns exec "$tns" "$SEQ" sink "$tif" --smac "$smac" --dmac "$dmac" --sip "$sip" --dip "$dip" --queues "$q" \
		--count "$count" --secs "$secs" ${SEQ_SINK_ARGS:-} > "$TMP/seq-sink.out" 2>&1 &
	spid=$!
	PIDS+=("$spid")
	if ! wait_for "$TMP/seq-sink.out" 'sink ready' 10; then
		show "sink" "$TMP/seq-sink.out"
		return 1
	fi
	ip netns exec "$fns" "$SEQ" send "$fif" --smac "$smac" --dmac "$dmac" --sip "$sip" --dip "$dip" --queues "$q" \
		--count "$count" --rate "$rate" --secs "$secs" > "$TMP/seq-send.out" 2>&1 &
	gpid=$!
	PIDS+=("$gpid")
	wait_exit "$gpid" $((secs + 10)) || { stop_pid "$gpid"; RC=1; }
	SEND_RC=$RC
	wait_exit "$spid" $((secs + 10)) || { stop_pid "$spid"; RC=1; }
	SINK_RC=$RC
	sed 's/^/  | /' "$TMP/seq-send.out" "$TMP/seq-sink.out"
	[ "$SEND_RC" -eq 0 ] && [ "$SINK_RC" -eq 0 ] && return 0
	echo "  where frames went (veth counters since the topology was made):"
	link_counters
	return 1
}

# Per-port counters of all four veth ends, for a failure's diagnosis.
link_counters() {
	local ns dev ns_dev
	for ns_dev in "$GEN:g0" "$FWD:p0" "$FWD:p1" "$SINK:s0"; do
		ns=${ns_dev%%:*}
		dev=${ns_dev#*:}
		echo "  $dev: $(ip -n "$ns" -s -j link show dev "$dev" 2>/dev/null | python3 -c '
import json, sys
try:
    s = json.load(sys.stdin)[0]["stats64"]
    print("rx %d (dropped %d), tx %d (dropped %d)" % (s["rx"]["packets"], s["rx"]["dropped"], s["tx"]["packets"], s["tx"]["dropped"]))
except Exception as e:
    print("?", e)')"
	done
}

# Packet counters of veth end $2 in namespace $1, as "rx_packets tx_packets tx_dropped".
veth_counts() {
	ip -n "$1" -s -j link show dev "$2" | python3 -c '
import json, sys
s = json.load(sys.stdin)[0]["stats64"]
print(s["rx"]["packets"], s["tx"]["packets"], s["tx"]["dropped"])'
}

# Check the bridge's final JSON summary in file $1: stopped for reason $2 after a clean drain,
# and per direction received = forwarded + oversize + invalid + held with held = 0, forwarded =
# accepted = sent + in_flight with in_flight = 0.  With $3 = "P0_RX P0_TX P0_TXDROP P1_RX P1_TX
# P1_TXDROP" (veth counters of p0 and p1 over the bridge's whole run), also against the kernel's
# own view: frames that reached a port = received + the drops the kernel counted before the RX
# ring; frames the bridge sent out of a port = what the veth transmitted or dropped.
# Prints the balance; the last line is "balance ok" or "balance FAILED".
summary_check() {
	python3 - "$1" "$2" "${3:-}" <<'PY'
import json, sys
path, reason, veth = sys.argv[1], sys.argv[2], sys.argv[3]
bad = []
summary = None
for line in open(path):
    line = line.strip()
    if not line.startswith("{"):
        continue
    try:
        j = json.loads(line)
    except ValueError as e:
        bad.append("a line of stdout is not JSON: %s: %.80s" % (e, line))
        continue
    if j.get("type") == "summary":
        summary = j
if summary is None:
    print("  no JSON summary line on stdout")
    print("balance FAILED")
    sys.exit(1)
if summary.get("reason") != reason:
    bad.append("reason %r, expected %r" % (summary.get("reason"), reason))
if summary.get("drained") is not True:
    bad.append("drained is %r" % summary.get("drained"))
dirs = summary.get("directions", [])
if len(dirs) != 2:
    bad.append("%d directions, expected 2" % len(dirs))
by_from = {}
for d in dirs:
    kd = d.get("kernel_dropped", {})
    drops = d["oversize"] + d["invalid"]
    print("  %s -> %s: received %d = forwarded %d + oversize %d + invalid %d + held %d; sent %d, in flight %d;"
          " before the RX ring the kernel dropped: rx_ring_full %d, rx_dropped %d (fill_ring_empty %d); tx_ring_full waits %d"
          % (d["from"], d["to"], d["received"], d["forwarded"], d["oversize"], d["invalid"], d["held"], d["sent"],
             d["in_flight"], kd.get("rx_ring_full", 0), kd.get("rx_dropped", 0), kd.get("fill_ring_empty", 0),
             d.get("tx_ring_full", 0)))
    if d["received"] != d["forwarded"] + d["oversize"] + d["invalid"] + d["held"]:
        bad.append("%s -> %s: received != forwarded + oversize + invalid + held" % (d["from"], d["to"]))
    if d["held"] != 0:
        bad.append("%s -> %s: %d frames still held after the drain" % (d["from"], d["to"], d["held"]))
    if not (d["forwarded"] == d["accepted"] == d["sent"] + d["in_flight"]):
        bad.append("%s -> %s: forwarded %d, accepted %d, sent %d + in flight %d differ"
                   % (d["from"], d["to"], d["forwarded"], d["accepted"], d["sent"], d["in_flight"]))
    if d["in_flight"] != 0:
        bad.append("%s -> %s: %d frames in flight after the drain" % (d["from"], d["to"], d["in_flight"]))
    if d.get("adds_up") is not True:
        bad.append("%s -> %s: the bridge says adds_up %r" % (d["from"], d["to"], d.get("adds_up")))
    by_from[d["from"]] = d
if veth:
    v = [int(x) for x in veth.split()]
    kern = {"p0": (v[0], v[1], v[2]), "p1": (v[3], v[4], v[5])}
    for a, b in (("p0", "p1"), ("p1", "p0")):
        d = by_from.get(a)
        if d is None:
            bad.append("no direction from %s" % a)
            continue
        kd = d.get("kernel_dropped", {})
        arrived = kern[a][0]
        counted = d["received"] + kd.get("rx_ring_full", 0) + kd.get("rx_dropped", 0)
        out = kern[b][1] + kern[b][2]
        print("  kernel's view: %d frames reached %s, the bridge accounts for %d; %s transmitted %d + dropped %d = %d, the bridge sent %d"
              % (arrived, a, counted, b, kern[b][1], kern[b][2], out, d["sent"]))
        if arrived != counted:
            bad.append("%s: %d frames arrived (veth rx_packets), the bridge accounts for %d (received + kernel drops)"
                       % (a, arrived, counted))
        if out != d["sent"]:
            bad.append("%s: the bridge sent %d frames, the veth transmitted or dropped %d" % (b, d["sent"], out))
for b in bad:
    print("  MISMATCH: " + b)
print("balance ok" if not bad else "balance FAILED")
sys.exit(1 if bad else 0)
PY
}

# The veth counters of p0 and p1, in summary_check's order.
veth_pair_counts() { echo "$(veth_counts "$FWD" p0) $(veth_counts "$FWD" p1)"; }

# TX checksum offload off on $2 in namespace $1 (the ethtool ioctl, from python3: no ethtool needed).
# Needed for TCP through any XDP forwarder on veth, the kernel's XDP_REDIRECT included: the sender's
# stack leaves the checksum to the "hardware" (CHECKSUM_PARTIAL), XDP sees only the bytes, and the
# sink receives a frame whose checksum was never completed (TcpInCsumErrors).
tx_csum_off() {
	ip netns exec "$1" python3 -c '
import array, fcntl, socket, struct, sys
v = array.array("I", [0x17, 0])                                     # ETHTOOL_STXCSUM, off
ifr = struct.pack("16sQ16x", sys.argv[1].encode(), v.buffer_info()[0])
fcntl.ioctl(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), 0x8946, ifr)  # SIOCETHTOOL' "$2"
}

# TCP segments the sink dropped for a bad checksum.
tcp_csum_errors() { ip netns exec "$SINK" nstat -az TcpInCsumErrors 2>/dev/null | awk '/TcpInCsumErrors/ {print $2}'; }
