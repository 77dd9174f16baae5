#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# Soak test of xdpbridge (root; `make soak`, not part of `make check`):
#
#   tests/soak/soak.sh [BUILD_DIR]
#
# $SOAK_FRAMES (10,000,000) sequence-numbered frames through each of three paths, each at
# $SOAK_LOAD percent (25) of what a short calibration run measured the path (senders and
# verifiers included) to carry:
#
#   fwd      gen: g0 198.18.1.1 <=veth=> p0 [fwd: xdpbridge fwd p0 p1 -j] p1 <=veth=> s0 198.18.1.2 :sink
#            xdpgen tx g0 (64-byte frames) -> xdpgen rx s0 --expect: every frame once, intact
#   nic2tun  a: va 198.18.7.1 <=veth=> vb 198.18.7.2 [b: xdpbridge tun vb --tun tun0 -j] tun0 198.18.8.2
#            xdpgen tx va (128-byte frames to 198.18.8.2:9000, vb's MAC) -> B's stack -> a UDP socket
#            in b (soaklib.py recv): every sequence number once, payload intact
#   tun2nic  a UDP socket in b, bound to 198.18.8.2 (routed into tun0), soaklib.py send in xdpgen's
#            payload format -> the bridge (Ethernet header from vb's neighbour table) -> va, where
#            xdpgen rx --expect checks checksums, lengths, pattern and sequence
#   (nic2tun and tun2nic one after the other through one bridge)
#
# Per bridge, from its start to its exit, every second: RSS, open fds, mappings (/proc/PID/maps
# lines) and threads.  Passes when, per path, 0 frames are lost, duplicated or corrupted; after
# the warm-up ($SOAK_WARMUP s, 10) none of RSS, fds, maps grows by more than $SOAK_TOL_RSS_KB
# (1024), $SOAK_TOL_FDS (0), $SOAK_TOL_MAPS (0) over its first sample after warm-up; and the
# bridge's JSON summary (SIGINT) is drained, adds up per direction (docs/xdpbridge.md) and shows
# no drop of any kind (under capacity, none is expected; the kernel's included).
#
# Environment: SOAK_FRAMES, SOAK_LOAD (percent, 10..90), SOAK_PATHS ("fwd nic2tun tun2nic"),
# SOAK_RING (8192: the bridges' --ring), SOAK_TUN_QLEN (10000: tun0's txqueuelen; see RING below),
# SOAK_RATE_FWD / SOAK_RATE_TUN (frames/s: skip the calibration of those paths), SOAK_MAX_RATE
# (1000000), SOAK_WARMUP, SOAK_TOL_*.  The report: stdout and BUILD_DIR/soak/report.txt; exit 0
# pass, 1 fail, 2 bad environment, 77 not root.  About 2 min per 10^7 frames and path on a
# 2-core VM (fwd is faster).  Namespaces xst<run>-<pid>-{gen,fwd,sink,a,b}, addresses
# 198.18.0.0/15 only; everything made here is removed on exit, also on failure or Ctrl-C.
set -u -o pipefail
O=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $O in /*) ;; *) O=$ROOT/$O ;; esac
FRAMES=${SOAK_FRAMES:-10000000}
LOAD=${SOAK_LOAD:-25}	# of the calibrated capacity: 25 leaves room for a shared machine's stalls (50 lost counted frames here)
PATHS_RUN=${SOAK_PATHS:-fwd nic2tun tun2nic}
MAX_RATE=${SOAK_MAX_RATE:-1000000}
WARMUP=${SOAK_WARMUP:-10}
TOL_RSS=${SOAK_TOL_RSS_KB:-1024}
TOL_FDS=${SOAK_TOL_FDS:-0}
TOL_MAPS=${SOAK_TOL_MAPS:-0}
CAL_FRAMES=${SOAK_CAL_FRAMES:-500000}
# Buffers against the scheduling stalls of a shared VM (not against overload: the rate is half the
# capacity): a stalled worker loses frames once a ring or queue is full, after 2048 frames / 50 kpps
# = 40 ms with the defaults.  A first run here with them lost 0.05 % (fill ring empty) and 0.6 %
# (TUN queue, 500 packets) to stalls while other builds shared the two CPUs.
RING=${SOAK_RING:-8192}
TUN_QLEN=${SOAK_TUN_QLEN:-10000}
BR=$O/bin/xdpbridge
GEN=$O/bin/xdpgen
LIB=$ROOT/tests/soak/soaklib.py
PFX=xst${XST_RUN:-0}-$$
NS_GEN=$PFX-gen NS_FWD=$PFX-fwd NS_SINK=$PFX-sink NS_A=$PFX-a NS_B=$PFX-b
ALL_NS="$NS_GEN $NS_FWD $NS_SINK $NS_A $NS_B"
GEN_MAC=02:00:00:00:01:01 SINK_MAC=02:00:00:00:01:02
A_MAC=02:00:00:00:07:01 B_MAC=02:00:00:00:07:02
OUTDIR=$O/soak
REPORT=$OUTDIR/report.txt
TMP=
PIDS=()
fails=0

for v in FRAMES LOAD MAX_RATE WARMUP TOL_RSS TOL_FDS TOL_MAPS CAL_FRAMES RING TUN_QLEN; do
	[[ ${!v} =~ ^[0-9]+$ ]] || { echo "soak: $v must be a whole number, not '${!v}'"; exit 2; }
done
[ "$LOAD" -ge 10 ] && [ "$LOAD" -le 90 ] || { echo "soak: SOAK_LOAD is a percentage from 10 to 90, not $LOAD"; exit 2; }
[ "$FRAMES" -ge 1000 ] || { echo "soak: SOAK_FRAMES must be at least 1000"; exit 2; }
for p in $PATHS_RUN; do
	case $p in fwd|nic2tun|tun2nic) ;; *) echo "soak: unknown path '$p' in SOAK_PATHS (fwd nic2tun tun2nic)"; exit 2 ;; esac
done
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP soak: needs root (network namespaces, veth, TUN, XDP, AF_XDP)"
	exit 77
fi
for t in ip python3 timeout; do
	command -v "$t" >/dev/null || { echo "soak: $t is missing ('make deps' installs it)"; exit 1; }
done
for t in "$BR" "$GEN"; do [ -x "$t" ] || { echo "soak: no $t: run 'make' first"; exit 1; }; done
[ -c /dev/net/tun ] || { echo "soak: no /dev/net/tun"; exit 1; }

say() { echo "[$(date +%H:%M:%S)] $*"; }
rep() { echo "$*" | tee -a "$REPORT"; }
fail() { rep "FAIL $*"; fails=$((fails + 1)); }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

stop_pid() {	# pid [grace seconds]: SIGTERM, then SIGKILL
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

cleanup() {
	local pid ns
	trap - EXIT INT TERM HUP
	for pid in "${PIDS[@]}"; do stop_pid "$pid" 2; done
	# Anything still running in our namespaces was started by this script (ip netns exec).
	for ns in $ALL_NS; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
	done
	for ns in $ALL_NS; do ip netns del "$ns" 2>/dev/null; done
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
TMP=$(mktemp -d "/tmp/$PFX.XXXXXX") || exit 1
mkdir -p "$OUTDIR" && : > "$REPORT" || exit 1

wait_for() {	# file regex [secs]
	local i
	for ((i = 0; i < ${3:-10} * 20; i++)); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

wait_exit() {	# pid secs: exit status in RC (255: still running, then 1 is returned)
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

oper_up() {	# ns dev: operstate up within 5 s
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(nsx "$1" cat "/sys/class/net/$2/operstate" 2>/dev/null)" = up ] && return 0
		sleep 0.05
	done
	echo "  $2 did not come up within 5 s"
	return 1
}

tx_csum_off() {	# ns dev: TX checksum offload off (the ethtool ioctl from python3)
	nsx "$1" python3 -c '
import array, fcntl, socket, struct, sys
v = array.array("I", [0x17, 0])
fcntl.ioctl(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), 0x8946,
            struct.pack("16sQ16x", sys.argv[1].encode(), v.buffer_info()[0]))' "$2"
}

new_ns() {	# ns...: lo up, IPv6 off (no neighbour discovery or router solicitations in the counts)
	local ns
	for ns in "$@"; do
		ip netns add "$ns" && ip -n "$ns" link set lo up &&
		nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 || return 1
	done
}

# bg TAG NS COMMAND...: a background process in NS (SIGINT at its default: a script's background
# jobs inherit it ignored); its stdout in $TMP/TAG.out, stderr in $TMP/TAG.err; its pid in LAST.
bg() {
	local tag=$1 ns=$2
	shift 2
	: > "$TMP/$tag.out"
	: > "$TMP/$tag.err"
	ip netns exec "$ns" env --default-signal=INT "$@" > "$TMP/$tag.out" 2> "$TMP/$tag.err" &
	LAST=$!
	PIDS+=("$LAST")
}

# bridge_start TAG NS READY_REGEX ARGS...: the bridge and its sampler; BR_PID, WATCH_PID.
bridge_start() {
	local tag=$1 ns=$2 re=$3
	shift 3
	bg "$tag" "$ns" "$BR" "$@"
	BR_PID=$LAST
	if ! wait_for "$TMP/$tag.err" "$re" 15; then
		echo "  the bridge did not start within 15 s; its stderr:"
		sed 's/^/  | /' "$TMP/$tag.err"
		return 1
	fi
	python3 "$LIB" watch "$BR_PID" "$TMP/$tag.samples" 7200 &
	WATCH_PID=$!
	PIDS+=("$WATCH_PID")
	return 0
}

# bridge_stop TAG: SIGINT, exit 0 within 15 s; then the sampler ends with it.
bridge_stop() {
	kill -INT "$BR_PID" 2>/dev/null
	if ! wait_exit "$BR_PID" 15; then
		fail "$1: the bridge did not exit within 15 s of SIGINT"
		kill -KILL "$BR_PID" 2>/dev/null
		wait_exit "$BR_PID" 5
		RC=254
	fi
	BR_RC=$RC
	wait_exit "$WATCH_PID" 5 || stop_pid "$WATCH_PID"
}

json_field() {	# file python-expression-on-j: from the last JSON object line of the file
	python3 -c '
import json, sys
j = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")][-1]
print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}

# The soak rate of a path from its calibration: LOAD % of the frames per second it carried, at most MAX_RATE.
soak_rate() {	# measured pps
	python3 -c 'import sys; print(max(1000, min(int(sys.argv[3]), int(float(sys.argv[1]) * int(sys.argv[2]) / 100))))' \
		"$1" "$LOAD" "$MAX_RATE"
}

# After a bridge run TAG: exit status, summary identities, resource flatness; lines into the report.
bridge_verdict() {	# tag label kind(fwd|tun)
	local tag=$1 label=$2 kind=$3 flat
	[ "$BR_RC" -eq 0 ] || { fail "$label: the bridge exited with $BR_RC after SIGINT"; sed 's/^/  | /' "$TMP/$tag.err" | tail -n 20; }
	python3 "$LIB" summary "$TMP/$tag.out" "$kind" SIGINT > "$TMP/$tag.sum" 2>&1 && rep "ok   $label: summary identities hold, drained, no drop" ||
		fail "$label: the bridge's summary"
	sed 's/^/     /' "$TMP/$tag.sum" | tee -a "$REPORT"
	rep "     $label: seconds with drops (from the bridge's -i 1 stats): $(python3 "$LIB" stalls "$TMP/$tag.out")"
	flat=$(python3 "$LIB" flat "$TMP/$tag.samples" "$WARMUP" "$TOL_RSS" "$TOL_FDS" "$TOL_MAPS")
	local frc=$?
	python3 - "$flat" "$label" "$WARMUP" <<'PY' | tee -a "$REPORT"
import json, sys
j, label, w = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
print("     %s: %d samples, 1 s apart; after the %s s warm-up (%d):" % (label, j["samples"], w, j["after_warmup"]))
for k, unit in (("rss_kb", " kB"), ("fds", ""), ("maps", "")):
    if k in j:
        v = j[k]
        print("       %-6s min %d%s, max %d%s, first %d, last %d: growth %d (tolerance %d)"
              % (k, v["min"], unit, v["max"], unit, v["first"], v["last"], v["growth"], v["tolerance"]))
if "threads" in j:
    print("       threads %s" % j["threads"])
for p in j["problems"]:
    print("       " + p)
PY
	[ "$frc" -eq 0 ] && rep "ok   $label: RSS, fds and mappings flat after warm-up" ||
		fail "$label: RSS, fds or mappings grew after warm-up"
	cp "$TMP/$tag.samples" "$OUTDIR/$tag.samples" 2>/dev/null
}

# ---------------------------------------------------------------------------------------------
fwd_topo() {
	new_ns "$NS_GEN" "$NS_FWD" "$NS_SINK" &&
	ip link add g0 netns "$NS_GEN" address "$GEN_MAC" type veth peer name p0 netns "$NS_FWD" address 02:00:00:00:01:10 &&
	ip link add s0 netns "$NS_SINK" address "$SINK_MAC" type veth peer name p1 netns "$NS_FWD" address 02:00:00:00:01:11 &&
	ip -n "$NS_GEN" addr add 198.18.1.1/24 dev g0 && ip -n "$NS_SINK" addr add 198.18.1.2/24 dev s0 &&
	ip -n "$NS_GEN" link set g0 up && ip -n "$NS_SINK" link set s0 up &&
	ip -n "$NS_FWD" link set p0 up && ip -n "$NS_FWD" link set p1 up &&
	ip -n "$NS_GEN" neigh replace 198.18.1.2 lladdr "$SINK_MAC" dev g0 nud permanent &&
	ip -n "$NS_SINK" neigh replace 198.18.1.1 lladdr "$GEN_MAC" dev s0 nud permanent &&
	oper_up "$NS_FWD" p0 && oper_up "$NS_FWD" p1 && oper_up "$NS_GEN" g0 && oper_up "$NS_SINK" s0
}

# fwd_stream TAG COUNT [RATE]: xdpgen rx s0 --expect COUNT, then xdpgen tx g0; JSON in $TMP/TAG-{rx,tx}.out.
fwd_stream() {
	local tag=$1 count=$2 rate=${3:-} secs rpid
	secs=15				# a calibration run: the sender takes a few seconds
	[ -n "$rate" ] && secs=$((count / rate + 60))
	bg "$tag-rx" "$NS_SINK" "$GEN" rx s0 --expect "$count" --idle 2000 --duration "$secs" --json
	rpid=$LAST
	wait_for "$TMP/$tag-rx.err" 'listening' 10 || { sed 's/^/  | /' "$TMP/$tag-rx.err"; return 1; }
	nsx "$NS_GEN" timeout $((secs + 10)) "$GEN" tx g0 --engine xsk --src-ip 198.18.1.1 --dst-ip 198.18.1.2 \
		--dst-mac "$SINK_MAC" --count "$count" ${rate:+--rate "$rate"} --json --quiet > "$TMP/$tag-tx.out" 2> "$TMP/$tag-tx.err"
	TX_RC=$?
	wait_exit "$rpid" $((secs + 10)) || { stop_pid "$rpid"; RC=1; }
	RX_RC=$RC
}

path_fwd() {
	local rate cap
	say "fwd: topology $NS_GEN -- $NS_FWD -- $NS_SINK"
	fwd_topo || { fail "fwd: cannot build the topology"; return; }
	rate=${SOAK_RATE_FWD:-}
	if [ -z "$rate" ]; then
		say "fwd: calibration, $CAL_FRAMES frames as fast as xdpgen sends them (a bridge of its own)"
		bridge_start fwdcal "$NS_FWD" 'forwarding p0 <-> p1' fwd p0 p1 -j || { fail "fwd: the bridge did not start"; return; }
		fwd_stream cal "$CAL_FRAMES"
		bridge_stop fwdcal
		# What the path carried: distinct frames verified over the sender's time (the rest the
		# receiver or the bridge dropped), or over the receiver's when it took longer.
		cap=$(python3 -c '
import json, sys
rx = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")][-1]
tx = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")][-1]
print(int(rx["unique"] / max(tx["seconds"], rx["active_seconds"], 1e-3)))' "$TMP/cal-rx.out" "$TMP/cal-tx.out") ||
			{ fail "fwd: calibration gave no numbers"; sed 's/^/  | /' "$TMP"/cal-*; return; }
		rate=$(soak_rate "$cap")
		rep "     fwd calibration: $(json_field "$TMP/cal-tx.out" 'j["sent"]') sent at $(json_field "$TMP/cal-tx.out" 'int(j["pps"])')/s, $(json_field "$TMP/cal-rx.out" 'j["unique"]') verified: the path carries ~$cap frames/s; soak at $LOAD %: $rate/s"
	fi
	say "fwd: $FRAMES frames at $rate/s"
	bridge_start fwd "$NS_FWD" 'forwarding p0 <-> p1' fwd p0 p1 -j -i 1 --ring "$RING" || { fail "fwd: the bridge did not start"; return; }
	local t0=$SECONDS
	fwd_stream soak "$FRAMES" "$rate"
	local el=$((SECONDS - t0))
	bridge_stop fwd
	rep "     fwd: sender: $(json_field "$TMP/soak-tx.out" '"%d frames in %.1f s (%d/s), exit" % (j["sent"], j["seconds"], j["pps"])') $TX_RC"
	rep "     fwd: receiver: $(json_field "$TMP/soak-rx.out" '"%d distinct of %d expected: lost %d, duplicates %d, corrupted %d, reordered %d, other %d; socket drops %s; exit" % (j["unique"], j["expect"], j["lost"], j["duplicates"], j["corrupted"], j["reordered"], j["other"], j["socket"])') $RX_RC"
	if [ "$TX_RC" -eq 0 ] && [ "$RX_RC" -eq 0 ] &&
		[ "$(json_field "$TMP/soak-rx.out" 'j["unique"] == j["expect"] and j["lost"] == 0 and j["duplicates"] == 0 and j["corrupted"] == 0')" = True ]; then
		rep "ok   fwd: $FRAMES frames, 0 lost, 0 duplicated, 0 corrupted, in ${el} s"
	else
		fail "fwd: frames lost, duplicated or corrupted (tx exit $TX_RC, rx exit $RX_RC)"
		sed 's/^/  | /' "$TMP/soak-tx.err" "$TMP/soak-rx.err" | tail -n 20
	fi
	bridge_verdict fwd fwd fwd
	for ns in "$NS_GEN" "$NS_FWD" "$NS_SINK"; do ip netns del "$ns" 2>/dev/null; done
}

# ---------------------------------------------------------------------------------------------
tun_topo() {
	new_ns "$NS_A" "$NS_B" &&
	ip link add va netns "$NS_A" address "$A_MAC" type veth peer name vb netns "$NS_B" address "$B_MAC" &&
	ip -n "$NS_A" addr add 198.18.7.1/24 dev va && ip -n "$NS_B" addr add 198.18.7.2/24 dev vb &&
	ip -n "$NS_A" link set va up && ip -n "$NS_B" link set vb up &&
	tx_csum_off "$NS_A" va &&
	ip -n "$NS_A" route add 198.18.8.0/24 via 198.18.7.2 &&
	ip -n "$NS_A" neigh replace 198.18.7.2 lladdr "$B_MAC" dev va nud permanent &&
	ip -n "$NS_B" neigh replace 198.18.7.1 lladdr "$A_MAC" dev vb nud permanent &&
	oper_up "$NS_A" va && oper_up "$NS_B" vb
}

tun_addrs() {	# once tun0 exists: its address, what leaves from it routed into it, its queue deepened
	ip -n "$NS_B" link set dev tun0 txqueuelen "$TUN_QLEN" &&
	ip -n "$NS_B" addr add 198.18.8.2/24 dev tun0 &&
	ip -n "$NS_B" rule add from 198.18.8.2 lookup 100 &&
	ip -n "$NS_B" route add default dev tun0 table 100
}

# nic2tun_stream TAG COUNT [RATE]: soaklib recv in B on 198.18.8.2:9000, xdpgen tx va -> vb's MAC.
nic2tun_stream() {
	local tag=$1 count=$2 rate=${3:-} secs rpid idle=
	secs=60
	[ -n "$rate" ] && secs=$((count / rate + 60))
	[ -z "$rate" ] && idle=2
	bg "$tag-rx" "$NS_B" timeout $((secs + 10)) python3 "$LIB" recv 198.18.8.2 9000 "$count" "$secs" 86 $idle
	rpid=$LAST
	wait_for "$TMP/$tag-rx.out" '^ready' 10 || { sed 's/^/  | /' "$TMP/$tag-rx.err"; return 1; }
	# 128-byte frames: 86 bytes of UDP payload (70 of them pattern).
	nsx "$NS_A" timeout $((secs + 10)) "$GEN" tx va --engine xsk --src-ip 198.18.7.1 --dst-ip 198.18.8.2 \
		--dst-mac "$B_MAC" --dst-port 9000 --size 128 --count "$count" ${rate:+--rate "$rate"} --json --quiet \
		> "$TMP/$tag-tx.out" 2> "$TMP/$tag-tx.err"
	TX_RC=$?
	wait_exit "$rpid" $((secs + 15)) || { stop_pid "$rpid"; RC=1; }
	RX_RC=$RC
}

# tun2nic_stream TAG COUNT [RATE]: xdpgen rx va --expect, soaklib send in B from 198.18.8.2 (into tun0).
tun2nic_stream() {
	local tag=$1 count=$2 rate=${3:-} secs rpid
	secs=15
	[ -n "$rate" ] && secs=$((count / rate + 60))
	bg "$tag-rx" "$NS_A" "$GEN" rx va --expect "$count" --idle 2000 --duration "$secs" --json
	rpid=$LAST
	wait_for "$TMP/$tag-rx.err" 'listening' 10 || { sed 's/^/  | /' "$TMP/$tag-rx.err"; return 1; }
	nsx "$NS_B" timeout $((secs + 10)) python3 "$LIB" send 198.18.7.1 9000 "$count" "${rate:-100000000}" 86 198.18.8.2 \
		> "$TMP/$tag-tx.out" 2> "$TMP/$tag-tx.err"
	TX_RC=$?
	wait_exit "$rpid" $((secs + 15)) || { stop_pid "$rpid"; RC=1; }
	RX_RC=$RC
}

# Where frames could go missing outside the bridge's counters: the devices' own drop counters and
# B's UDP receive errors (since the namespaces were made).
where_lost() {	# label
	local dev ns c
	c=$(for x in "$NS_A:va" "$NS_B:vb" "$NS_B:tun0"; do
		ns=${x%%:*} dev=${x#*:}
		ip -n "$ns" -s -j link show dev "$dev" 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)[0]["stats64"]
print("%s rx %d (dropped %d) tx %d (dropped %d);" % (sys.argv[1], s["rx"]["packets"], s["rx"]["dropped"], s["tx"]["packets"], s["tx"]["dropped"]), end=" ")' "$dev"
	done)
	rep "     $1: counters so far: $c B's UDP: $(nsx "$NS_B" nstat -az UdpRcvbufErrors UdpInErrors UdpInCsumErrors 2>/dev/null | awk '/^Udp/ {printf "%s %s ", $1, $2}')"
}

stream_verdict() {	# label tag: the receiver's numbers into the report; pass when all arrived once, intact
	local label=$1 tag=$2 el=$3
	rep "     $label: sender: $(json_field "$TMP/$tag-tx.out" '"%d frames in %.1f s (%d/s), exit" % (j["sent"], j["seconds"], j["pps"])') $TX_RC"
	rep "     $label: receiver: $(json_field "$TMP/$tag-rx.out" '"%d distinct of %d expected: lost %d, duplicates %d, corrupted %d, reordered %d, other %d, exit" % (j["unique"], j.get("expect", j.get("expected")), j["lost"], j["duplicates"], j["corrupted"], j["reordered"], j["other"])') $RX_RC"
	if [ "$TX_RC" -eq 0 ] && [ "$RX_RC" -eq 0 ] &&
		[ "$(json_field "$TMP/$tag-rx.out" 'j["unique"] == j.get("expect", j.get("expected")) and j["lost"] == 0 and j["duplicates"] == 0 and j["corrupted"] == 0')" = True ]; then
		rep "ok   $label: $FRAMES frames, 0 lost, 0 duplicated, 0 corrupted, in ${el} s"
	else
		fail "$label: frames lost, duplicated or corrupted (sender exit $TX_RC, receiver exit $RX_RC)"
		sed 's/^/  | /' "$TMP/$tag-tx.err" "$TMP/$tag-rx.err" | tail -n 20
	fi
}

path_tun() {
	local rate_in rate_out cap
	say "tun: topology $NS_A -- $NS_B"
	tun_topo || { fail "tun: cannot build the topology"; return; }
	rate_in=${SOAK_RATE_TUN:-} rate_out=${SOAK_RATE_TUN:-}
	if [ -z "$rate_in" ]; then
		say "tun: calibration, $CAL_FRAMES frames each way as fast as the senders go (a bridge of its own)"
		bridge_start tuncal "$NS_B" 'bridging vb <-> tun0' tun vb --tun tun0 -j || { fail "tun: the bridge did not start"; return; }
		tun_addrs || { fail "tun: cannot address tun0"; return; }
		if [[ " $PATHS_RUN " == *" nic2tun "* ]]; then
			nic2tun_stream calin "$CAL_FRAMES"
			cap=$(json_field "$TMP/calin-rx.out" 'j["pps"]') || { fail "nic2tun: calibration gave no numbers"; return; }
			rate_in=$(soak_rate "$cap")
			rep "     nic2tun calibration: $(json_field "$TMP/calin-tx.out" 'j["sent"]') sent at $(json_field "$TMP/calin-tx.out" 'int(j["pps"])')/s, $(json_field "$TMP/calin-rx.out" 'j["unique"]') verified at $cap/s; soak at $LOAD %: $rate_in/s"
		fi
		if [[ " $PATHS_RUN " == *" tun2nic "* ]]; then
			tun2nic_stream calout "$CAL_FRAMES"
			cap=$(python3 -c '
import json, sys
rx = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")][-1]
tx = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")][-1]
print(int(rx["unique"] / max(tx["seconds"], 1e-3)))' "$TMP/calout-rx.out" "$TMP/calout-tx.out") ||
				{ fail "tun2nic: calibration gave no numbers"; sed 's/^/  | /' "$TMP"/calout-*; return; }
			rate_out=$(soak_rate "$cap")
			rep "     tun2nic calibration: $(json_field "$TMP/calout-tx.out" 'j["sent"]') sent at $(json_field "$TMP/calout-tx.out" 'j["pps"]')/s, $(json_field "$TMP/calout-rx.out" 'j["unique"]') verified: ~$cap/s; soak at $LOAD %: $rate_out/s"
		fi
		bridge_stop tuncal
		# The calibration bridge took tun0 (and its addresses) with it.
	fi
	say "tun: the soak bridge"
	bridge_start tun "$NS_B" 'bridging vb <-> tun0' tun vb --tun tun0 -j -i 1 --ring "$RING" || { fail "tun: the bridge did not start"; return; }
	tun_addrs || { fail "tun: cannot address tun0"; return; }
	local t0 el
	if [[ " $PATHS_RUN " == *" nic2tun "* ]]; then
		say "nic2tun: $FRAMES frames at $rate_in/s"
		t0=$SECONDS
		nic2tun_stream in "$FRAMES" "$rate_in"
		el=$((SECONDS - t0))
		stream_verdict nic2tun in "$el"
		where_lost nic2tun
	fi
	if [[ " $PATHS_RUN " == *" tun2nic "* ]]; then
		say "tun2nic: $FRAMES frames at $rate_out/s"
		t0=$SECONDS
		tun2nic_stream out "$FRAMES" "$rate_out"
		el=$((SECONDS - t0))
		stream_verdict tun2nic out "$el"
		where_lost tun2nic
	fi
	bridge_stop tun
	bridge_verdict tun "tun ($PATHS_RUN)" tun
	for ns in "$NS_A" "$NS_B"; do ip netns del "$ns" 2>/dev/null; done
}

# ---------------------------------------------------------------------------------------------
START=$SECONDS
rep "xdpbridge soak: $FRAMES frames per path ($PATHS_RUN), at $LOAD % of the measured capacity; kernel $(uname -r), $(nproc) CPUs; $(date -u '+%Y-%m-%d %H:%M UTC')"
rep "  warm-up $WARMUP s; tolerances after it: RSS +$TOL_RSS kB, fds +$TOL_FDS, maps +$TOL_MAPS"
rep "  bridges with --ring $RING (a stall of $((RING * 1000 / 100000)) ms absorbed at 100 kpps); tun0 txqueuelen $TUN_QLEN"
[[ " $PATHS_RUN " == *" fwd "* ]] && path_fwd
[[ " $PATHS_RUN " == *" nic2tun "* || " $PATHS_RUN " == *" tun2nic "* ]] && path_tun
rep "soak: $((SECONDS - START)) s in all; $fails failure(s): $([ "$fails" -eq 0 ] && echo PASS || echo FAIL)"
rep "  (report: $REPORT; per-second samples t rss_kb fds maps threads: $OUTDIR/*.samples)"
[ "$fails" -eq 0 ]
