# SPDX-License-Identifier: MIT OR Apache-2.0
# shellcheck shell=bash
#
# Shared helpers of the xdpbridge tap/tun tests (tests/integ/it_tap*.sh, it_tun*.sh), sourced,
# never run: the runner copies only it_*.sh into the build tree, so the scripts find this file
# in the source tree (see tun_lib in each of them).
#
# Topology (two namespaces, the veth ends created directly in them, 198.18.0.0/15 and
# 2001:2::/48 only):
#
#   $NA: va 198.18.7.1/24 2001:2:7::1/64 <==veth==> vb [$NB: xdpbridge tap|tun vb] -- tap0/tun0
#
# TX checksum offload is off on va: a veth hands its peer segments whose checksum the "hardware"
# was to finish (CHECKSUM_PARTIAL); XDP and AF_XDP see only the bytes, so the TAP/TUN would
# receive them unfinished.  A real NIC's frames are complete.  Namespaces are
# xst<run>-<pid>-{a,b} (and -c, where a test moves a link away): tests/run.sh finds what a test
# left behind by the xst<run>- prefix.
# tun_cleanup (the scripts' EXIT trap) stops every process started here and removes the
# namespaces (the bridge's TAP/TUN and XDP program go with them).

BUILD=${XDPSOCK_BUILD:-build}
BR=$BUILD/bin/xdpbridge
PFX=xst${XST_RUN:-0}-$$
NA=$PFX-a
NB=$PFX-b
NC=$PFX-c	# made by a test that moves a link out of $NB
A_MAC=02:00:00:00:07:01
B_MAC=02:00:00:00:07:02
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
show() {	# label, file: indented copy in the log
	echo "  --- $1"
	sed 's/^/  | /' "$2"
}

tun_require() {	# test name: skip when not root, fail when a tool or binary is missing
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP $1: needs root (network namespaces, veth, TUN/TAP, XDP, AF_XDP)"
		exit 77
	fi
	local t
	for t in ip python3 ping timeout iperf3 taskset; do
		command -v "$t" >/dev/null || { echo "FAIL $1: $t is missing ('make deps' installs it)"; exit 1; }
	done
	[ -x "$BR" ] || { echo "FAIL $1: no $BR ('make tests' builds it)"; exit 1; }
	[ -c /dev/net/tun ] || { echo "FAIL $1: no /dev/net/tun (the kernel has TUN/TAP: the node is missing)"; exit 1; }
	if ! "$BR" tun --help >/dev/null 2>&1; then
		echo "FAIL $1: $BR has no 'tun' command"
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

tun_cleanup() {
	local pid ns
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do stop_pid "$pid" 2; done
	# Anything still running in our namespaces was started by this script (ip netns exec).
	for ns in "$NA" "$NB" "$NC"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
	done
	for ns in "$NA" "$NB" "$NC"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$TMP"
}

# In the foreground only: a function run with & is a subshell, and $! would not be the process.
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

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

# Wait (bounded: $3 seconds) until file $1 contains a line matching extended regex $2.
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

# TX checksum offload off on $2 in namespace $1 (the ethtool ioctl from python3: no ethtool needed).
tx_csum_off() {
	ip netns exec "$1" python3 -c '
import array, fcntl, socket, struct, sys
v = array.array("I", [0x17, 0])                                     # ETHTOOL_STXCSUM, off
ifr = struct.pack("16sQ16x", sys.argv[1].encode(), v.buffer_info()[0])
fcntl.ioctl(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), 0x8946, ifr)  # SIOCETHTOOL' "$2"
}

# The two namespaces and the veth pair; $1 = queues per veth end (default 1).
tun_topo() {
	local q=${1:-1} ns
	for ns in "$NA" "$NB"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
		nsx "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 || return 1
	done
	ip link add va netns "$NA" numtxqueues "$q" numrxqueues "$q" address "$A_MAC" type veth \
		peer name vb netns "$NB" numtxqueues "$q" numrxqueues "$q" address "$B_MAC" || return 1
	ip -n "$NA" addr add 198.18.7.1/24 dev va &&
	ip -n "$NA" addr add 2001:2:7::1/64 dev va nodad &&
	ip -n "$NA" link set va up &&
	ip -n "$NB" link set vb up &&
	tx_csum_off "$NA" va || return 1
	oper_up "$NA" va && oper_up "$NB" vb
}

# Start `xdpbridge KIND vb --KIND DEV ...` in $NB: tag $1, then the arguments after `xdpbridge`.
# stdout/stderr in $TMP/$tag.out/.err.  (env --default-signal: a script's background jobs inherit
# SIGINT ignored.)  Sets BR_PID; returns 1 when it did not say "bridging" within 15 s.
bridge_start() {
	local tag=$1
	shift
	ip netns exec "$NB" env --default-signal=INT "$BR" "$@" > "$TMP/$tag.out" 2> "$TMP/$tag.err" &
	BR_PID=$!
	PIDS+=("$BR_PID")
	if ! wait_for "$TMP/$tag.err" 'bridging vb <-> [a-z0-9]+ on [0-9]+ queue' 15; then
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

# XDP program attached to $2 in namespace $1?  (iproute2's own view)
has_xdp() { ip -n "$1" -d link show dev "$2" 2>/dev/null | grep -qE 'prog/xdp|xdpgeneric|xdpdrv|xdp '; }

# Single echoes from $NA: ping_each COUNT ADDR [ping options]: each one answered within 1 s.
ping_each() {
	local n=$1 addr=$2 i lost=0
	shift 2
	for ((i = 0; i < n; i++)); do
		nsx "$NA" ping -n -c 1 -W 1 "$@" "$addr" > "$TMP/ping.out" 2>&1 || lost=$((lost + 1))
	done
	echo "  $n single echoes to $addr${*:+ ($*)}: $((n - lost)) answered, last: $(grep -o 'time=[0-9.]* ms' "$TMP/ping.out")"
	[ "$lost" -eq 0 ]
}

# Up to $1 single pings to $2 from $NA, 0.2 s apart, until one is answered.
ping_until() {
	local n=$1 addr=$2 i
	shift 2
	for ((i = 0; i < n; i++)); do
		nsx "$NA" ping -n -c 1 -W 1 "$@" "$addr" > "$TMP/ping.out" 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# The last JSON line of type $2 in file $1, passed through python expression $3 (on j), printed.
json_last() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
lines = [j for j in lines if j.get("type") == sys.argv[2]]
if not lines:
    print("none"); sys.exit(1)
j = lines[-1]
print(eval(sys.argv[3]))
PY
}

# Wait (bounded: $4 s) until json_last FILE TYPE EXPR prints something other than $5.
json_wait_change() {
	local f=$1 type=$2 expr=$3 secs=$4 from=$5 i
	for ((i = 0; i < secs * 10; i++)); do
		[ "$(json_last "$f" "$type" "$expr" 2>/dev/null)" != "$from" ] && return 0
		sleep 0.1
	done
	return 1
}

# Check the bridge's final JSON summary in $1: stopped for reason $2, drained, and both
# directions add up (received = delivered + drops; delivered = sent + in flight, in flight 0).
summary_check() {
	python3 - "$1" "$2" <<'PY'
import json, sys
path, reason = sys.argv[1], sys.argv[2]
s = [json.loads(l) for l in open(path) if l.startswith("{")]
s = [j for j in s if j.get("type") == "summary"]
if not s:
    print("  no JSON summary on stdout"); sys.exit(1)
j, bad = s[-1], []
if j["reason"] != reason:
    bad.append("reason %r, expected %r" % (j["reason"], reason))
if not j["drained"]:
    bad.append("not drained")
for d in j["directions"]:
    drops = sum(d["dropped"].values())
    print("  %s -> %s: received %d = delivered %d + dropped %d %s%s"
          % (d["from"], d["to"], d["received"], d["delivered"], drops, d["dropped"],
             "; sent %d, in flight %d" % (d["sent"], d["in_flight"]) if "sent" in d else
             "; kernel dropped before the RX ring %s" % d["kernel_dropped"]))
    if d["received"] != d["delivered"] + drops:
        bad.append("%s -> %s does not add up" % (d["from"], d["to"]))
    if "sent" in d and (d["in_flight"] or d["sent"] != d["delivered"]):
        bad.append("%s -> %s: %d sent of %d, %d in flight" % (d["from"], d["to"], d["sent"], d["delivered"], d["in_flight"]))
    if not d["adds_up"]:
        bad.append("%s -> %s: the bridge says adds_up false" % (d["from"], d["to"]))
print("  xdp: %s" % j.get("xdp"))
for b in bad:
    print("  MISMATCH: " + b)
sys.exit(1 if bad else 0)
PY
}

# The sequence-numbered UDP tool: recv BIND PORT COUNT SECS | send DST PORT COUNT RATE [SRC].
# UDPSEQ_SIZE=N: every datagram N bytes (both sides); UDPSEQ_GSO=K (send, with UDPSEQ_SIZE): K
# datagrams per send, one UDP_SEGMENT super-packet that the sending host or the bridge cuts.
cat > "$TMP/udpseq.py" <<'PY'
import errno, os, socket, struct, sys, time
PAT = bytes(range(256)) * 8
FIXED = int(os.environ.get("UDPSEQ_SIZE", "0"))
GSO = int(os.environ.get("UDPSEQ_GSO", "0"))
def size(seq):			# 16 .. 1415 bytes of payload: IPv4 datagrams up to 1443 bytes
    if FIXED:
        return FIXED
    return 16 + (seq * 7919) % 1400
def payload(seq):
    n = size(seq)
    return struct.pack("!II", seq, n) + PAT[seq % 256: seq % 256 + n - 8]
def sock(addr):
    return socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
if sys.argv[1] == "recv":
    bind, port, count, secs = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    s = sock(bind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
    s.bind((bind, port))
    s.settimeout(0.2)
    print("ready", flush=True)
    seen, got, dup, bad, reorder, last = bytearray(count), 0, 0, 0, 0, -1
    deadline = time.monotonic() + secs
    while got < count and time.monotonic() < deadline:
        try:
            d = s.recv(4096)
        except socket.timeout:
            continue
        if len(d) < 8:
            bad += 1; continue
        seq, n = struct.unpack("!II", d[:8])
        if seq >= count or n != len(d) or d != payload(seq):
            bad += 1; continue
        if seen[seq]:
            dup += 1; continue
        seen[seq] = 1; got += 1
        if seq < last:
            reorder += 1
        last = max(last, seq)
    print("received %d of %d datagrams: lost %d, duplicated %d, corrupted %d, reordered %d"
          % (got, count, count - got, dup, bad, reorder), flush=True)
    sys.exit(0 if got == count and not dup and not bad else 1)
dst, port, count, rate = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
s = sock(dst)
if len(sys.argv) > 6:
    s.bind((sys.argv[6], 0))
s.connect((dst, port))
t0, burst = time.monotonic(), max(1, int(rate / 1000))
if GSO:
    s.setsockopt(socket.SOL_UDP, 103, FIXED)	# UDP_SEGMENT
    burst = max(burst, GSO)
for seq in range(count):
    if seq % burst == 0:
        wait = t0 + seq / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
    if GSO and seq % GSO:
        continue			# sent with the first of its super-packet
    p = b"".join(payload(q) for q in range(seq, min(seq + GSO, count))) if GSO else payload(seq)
    for tries in range(1000):		# ENOBUFS: the qdisc is full for a moment
        try:
            s.send(p); break
        except OSError as e:
            if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                raise
            time.sleep(0.001)
el = time.monotonic() - t0
print("sent %d datagrams in %.2f s (%.0f/s)" % (count, el, count / el), flush=True)
PY

# udp_seq FROM_NS TO_NS DST_ADDR COUNT RATE [SRC_ADDR]: receiver first (bound to DST_ADDR), then
# the sender; both bounded; pass when every datagram arrived once, intact.
udp_seq() {
	local fns=$1 tns=$2 dst=$3 count=$4 rate=$5 src=${6:-} secs rpid spid
	secs=$((count / rate + 15))
	# Emptied here, in the foreground: the background job's own redirection truncates later, and
	# the previous run's "ready" would start the sender before this receiver is bound (the
	# sender's connected socket then dies of the port-unreachable: ECONNREFUSED).
	: > "$TMP/udp-recv.out"
	: > "$TMP/udp-send.out"
	ip netns exec "$tns" timeout $((secs + 5)) python3 "$TMP/udpseq.py" recv "$dst" 7000 "$count" "$secs" \
		> "$TMP/udp-recv.out" 2>&1 &
	rpid=$!
	PIDS+=("$rpid")
	if ! wait_for "$TMP/udp-recv.out" '^ready' 10; then
		show "receiver" "$TMP/udp-recv.out"
		return 1
	fi
	ip netns exec "$fns" timeout $((secs + 5)) python3 "$TMP/udpseq.py" send "$dst" 7000 "$count" "$rate" $src \
		> "$TMP/udp-send.out" 2>&1 &
	spid=$!
	PIDS+=("$spid")
	wait_exit "$spid" $((secs + 10)) || stop_pid "$spid"
	wait_exit "$rpid" $((secs + 10)) || stop_pid "$rpid"
	sed 's/^/  | /' "$TMP/udp-send.out" "$TMP/udp-recv.out"
	[ "$RC" -eq 0 ]
}

# iperf3 TCP for 3 s: iperf_tcp CLIENT_NS SERVER_NS SERVER_ADDR LABEL [client options]; the rate in the log.
iperf_tcp() {
	local cns=$1 sns=$2 addr=$3 label=$4 ipid rc
	shift 4
	ip netns exec "$sns" timeout 30 iperf3 -s -1 -B "$addr" --forceflush > "$TMP/iperf-s.out" 2>&1 &
	ipid=$!
	PIDS+=("$ipid")
	if ! wait_for "$TMP/iperf-s.out" 'listening' 10; then
		show iperf3 "$TMP/iperf-s.out"
		return 1
	fi
	nsx "$cns" timeout 30 iperf3 -c "$addr" -t 3 --connect-timeout 3000 -J "$@" > "$TMP/iperf.json" 2>&1
	rc=$?
	wait_exit "$ipid" 5 || stop_pid "$ipid"
	python3 - "$TMP/iperf.json" "$label" <<'PY'
import json, sys
try:
    j = json.load(open(sys.argv[1]))
except ValueError:
    print("  iperf3 said: " + open(sys.argv[1]).read()[-300:]); sys.exit(1)
if "error" in j:
    print("  iperf3: " + j["error"]); sys.exit(1)
r, s = j["end"]["sum_received"], j["end"]["sum_sent"]
print("  iperf3 TCP %s: %.1f Mbit/s received over %.1f s, %d retransmits"
      % (sys.argv[2], r["bits_per_second"] / 1e6, r["seconds"], s.get("retransmits", -1)))
sys.exit(0 if r["bits_per_second"] > 0 and r["bytes"] > 0 else 1)
PY
	local prc=$?
	[ "$rc" -eq 0 ] && [ "$prc" -eq 0 ]
}
