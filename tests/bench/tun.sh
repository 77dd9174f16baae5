#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# NIC <-> TUN benchmark: xdpbridge tun against an AF_PACKET + TUN loop (tests/bench/afp_tun.c,
# recvmmsg/sendmmsg 64 at a time) and the kernel's own IP forwarding, between the same two
# namespaces, in one run.
#
#   tests/bench/tun.sh [BUILD_DIR]      (root; part 4 of tests/bench/run.sh: make bench)
#
#   ns $NA: va 198.18.10.1/24 <=veth=> vb 198.18.10.2/24 :ns $NB, tun0 198.18.11.1/24
#
# The generators and sinks run on CPU $GEN_CPU (0), the path under test on CPU $BR_CPU (1): the
# processes with taskset, vb's kernel work through its threaded NAPI (an XDP program on vb in
# every path: ours, or XDP_PASS for the others, so every path receives the same way), va's NAPI
# (the sink) on the generator's CPU with SCHED_FIFO so that what arrives is counted.
#
# NIC -> TUN, 64-byte frames: fwd_gen (AF_XDP TX on va, as fast as it can) to vb's MAC,
#   198.18.1.1 -> 198.18.1.2, twice: "raw", identical frames (IP id 0, no UDP checksum: what a
#   raw generator sends, nothing a receiver can join), and "flow" (fwd_gen --flow: ids in
#   sequence, a UDP checksum, DF: one flow as a Linux UDP socket sends it).  198.18.1.2 is an
#   address of tun0, with a UDP socket bound to it that never reads: B's stack takes every
#   datagram (cut from a super-packet first, if it came as one) and drops it at the socket,
#   where it is counted (Udp RcvbufErrors of B).
#     xdpbridge  xdpbridge tun vb --tun tun0 -c 1: XDP -> AF_XDP -> write(tun0), a flow's
#                packets of one batch joined into one write (tun_gro.c)
#     nogro      the same with --no-gro: one write per packet
#     nooffload  the same with --no-offload: no virtio-net headers, the host cuts TCP to the MTU
#                before the bridge reads it, and nothing is joined
#     afpacket   afp_tun bridge vb tun0: AF_PACKET recvmmsg -> write(tun0); same count.  A sends
#                to a MAC of the bridge's own ($V_MAC), not vb's: an AF_PACKET socket only copies,
#                and B's stack drops a frame for another MAC at once instead of routing it too
#                (this kernel has no tc drop action to do that)
#     kernel     B forwards vb -> tun0 (route 198.18.1.0/24 dev tun0) and afp_tun drain reads
#                tun0; counted as tun0's tx_packets (packets read)
# TUN -> NIC, 64-byte frames (50-byte IPv4/UDP packets to 198.18.10.3, a static neighbour with
#   va's MAC), counted as va's rx_packets (va drops them in XDP: the cheapest sink).  The source
#   is afp_tun send, a UDP socket of B's, routed into tun0 (the path reads them there and sends
#   them out of vb) or, for kernel, straight out of vb; twice:
#     "sendmmsg"  64 datagrams per sendmmsg()
#     "gso"       64 datagrams per UDP_SEGMENT send, as QUIC stacks send: the bridge reads one
#                 super-packet when the device offers USO; the host cuts it before afpacket's
#                 TUN, which has no offloads, and before vb for kernel.
# TCP, iperf3 for $SECS s each way between A and 198.18.11.1 (tun0's address; B routes what it
#   answers from there into tun0), TX checksum offload off on va (see tests/integ/tunlab.sh).
#   The wire carries MTU-sized frames both ways, as a real NIC's does: an XDP program on each
#   veth end (ours or XDP_PASS on vb, XDP_PASS on va) takes TSO off the other end and turns GRO
#   on where frames arrive, in every path.  Both iperf3 ends and A's receive work (va's NAPI
#   thread) on CPU $GEN_CPU, the path on CPU $BR_CPU, as for the packet rates.
#     kernel     no TUN at all: A <-> vb's own address through B's stack (GRO on vb)
#
# Mpps: the median of $REPS windows of $SECS s after a 1 s warm-up.  Ratios are to xdpbridge.
# Needs: root, 2 CPUs (else everything shares one), the build's bin/xdpbridge, bench/afp_tun,
# bench/fwd_gen, bench/devmap_fwd, bpf/xdp_devmap_redirect.bpf.o (made here with make when
# missing), iperf3.  Results to stdout and bench/out/tun.txt.  Environment: TUN_SECS (3),
# TUN_REPS (3; SECS <= 10, REPS <= 8), TUN_PATHS ("xdpbridge nogro nooffload afpacket kernel"),
# TUN_PARTS (all, or tcp: only the TCP columns), GEN_CPU (0), BR_CPU (1).  About 8 min.
# Everything made here (namespaces, links, XDP programs, processes) is removed on exit, also on
# failure or Ctrl-C.
set -u -o pipefail
O=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $O in /*) ;; *) O=$ROOT/$O ;; esac
OUT=$ROOT/bench/out
SECS=${TUN_SECS:-3}
REPS=${TUN_REPS:-3}
PATHS=${TUN_PATHS:-xdpbridge nogro nooffload afpacket kernel}
PARTS=${TUN_PARTS:-all}
GEN_CPU=${GEN_CPU:-0}
BR_CPU=${BR_CPU:-1}
PFX=xtb$$
NA=$PFX-a
NB=$PFX-b
A_MAC=02:00:00:00:0a:01
B_MAC=02:00:00:00:0a:02
V_MAC=02:00:00:00:0a:99	# the afpacket path's: B's stack ignores frames for it, the socket does not
BR=$O/bin/xdpbridge
AFP=$O/bench/afp_tun
FGEN=$O/bench/fwd_gen
DEVMAP=$O/bench/devmap_fwd
OBJ=$O/bpf/xdp_devmap_redirect.bpf.o
TMP=$(mktemp -d "/tmp/$PFX.XXXXXX") || exit 1
PIDS=()

stop_pid() {	# pid [grace seconds]: SIGINT, then SIGKILL
	local pid=$1 grace=${2:-5} i
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -INT "$pid" 2>/dev/null
	for ((i = 0; i < grace * 20; i++)); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

cleanup() {
	local pid ns
	trap - EXIT INT TERM HUP
	for pid in "${PIDS[@]}"; do stop_pid "$pid" 3; done
	for ns in "$NA" "$NB"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
	done
	for ns in "$NA" "$NB"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

wait_for() {	# file regex [secs]
	local i
	for ((i = 0; i < ${3:-10} * 20; i++)); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# Start a background process (in a namespace): bg TAG NS CPU COMMAND...; its output in $TMP/TAG.
bg() {
	local tag=$1 ns=$2 cpu=$3
	shift 3
	: > "$TMP/$tag"
	ip netns exec "$ns" env --default-signal=INT taskset -c "$cpu" "$@" > "$TMP/$tag" 2>&1 &
	LAST=$!
	PIDS+=("$LAST")
}

csum_tx() {	# ns dev 0|1: TX checksum offload (the ethtool ioctl from python3)
	nsx "$1" python3 -c '
import array, fcntl, socket, struct, sys
v = array.array("I", [0x17, int(sys.argv[2])])
fcntl.ioctl(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), 0x8946,
            struct.pack("16sQ16x", sys.argv[1].encode(), v.buffer_info()[0]))' "$2" "$3"
}

# Threaded NAPI on $2 (namespace $1), its thread(s) on CPU $3 (and SCHED_FIFO with $4 = fifo).
pin_napi() {
	local pid
	nsx "$1" sh -c "echo 1 > /sys/class/net/$2/threaded" 2>/dev/null || return 0
	for pid in $(ps -e -o pid=,comm= | awk -v d="napi/$2-" 'index($2, d) == 1 {print $1}'); do
		taskset -pc "$3" "$pid" >/dev/null 2>&1
		[ "${4:-}" = fifo ] && chrt -f -p 1 "$pid" >/dev/null 2>&1
	done
	return 0
}

sysctl_b() { nsx "$NB" sysctl -qw "$@" >/dev/null; }
counter() {	# ns dev counter; dev "Udp": that counter of /proc/net/snmp instead
	if [ "$2" = Udp ]; then
		nsx "$1" awk -v g="$2:" -v c="$3" '$1 == g { if (!n) { for (i = 2; i <= NF; i++) k[i] = $i; n = 1 }
			else for (i = 2; i <= NF; i++) if (k[i] == c) print $i }' /proc/net/snmp 2>/dev/null || echo 0
	else
		nsx "$1" cat "/sys/class/net/$2/statistics/$3" 2>/dev/null || echo 0
	fi
}

topo() {
	local ns
	for ns in "$NA" "$NB"; do
		ip netns add "$ns" && ip -n "$ns" link set lo up &&
		nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.default.forwarding=0 ||
			return 1
	done
	ip link add va netns "$NA" address "$A_MAC" type veth peer name vb netns "$NB" address "$B_MAC" &&
	ip -n "$NA" addr add 198.18.10.1/24 dev va && ip -n "$NB" addr add 198.18.10.2/24 dev vb &&
	ip -n "$NA" link set va up && ip -n "$NB" link set vb up &&
	ip -n "$NA" route add 198.18.11.0/24 via 198.18.10.2 &&
	ip -n "$NA" neigh replace 198.18.10.2 lladdr "$B_MAC" dev va nud permanent &&
	ip -n "$NB" neigh replace 198.18.10.1 lladdr "$A_MAC" dev vb nud permanent &&
	ip -n "$NB" neigh replace 198.18.10.3 lladdr "$A_MAC" dev vb nud permanent &&
	nsx "$NB" sysctl -qw net.ipv4.conf.vb.forwarding=0 || return 1
	sleep 1
}

# ---- the paths: start (tun0 exists and is up when they return 0), stop ------------------------

tun0_up() {	# tun0's address, up, and where B sends what tun0's address answers
	ip -n "$NB" addr add 198.18.11.1/24 dev tun0 && ip -n "$NB" link set tun0 up &&
	ip -n "$NB" route replace 198.18.1.0/24 dev tun0 &&
	{ ip -n "$NB" rule add from 198.18.11.1 lookup 101 2>/dev/null; true; } &&
	ip -n "$NB" route replace default dev tun0 table 101 &&
	sysctl_b net.ipv4.conf.tun0.forwarding=0 net.ipv4.conf.tun0.rp_filter=0
}

pass_vb() {	# XDP_PASS on vb: the same NAPI receive path as with our program
	bg pass "$NB" "$BR_CPU" "$DEVMAP" --obj "$OBJ" --pass vb
	PASS_PID=$LAST
	wait_for "$TMP/pass" ready 5 || { cat "$TMP/pass" >&2; return 1; }
	pin_napi "$NB" vb "$BR_CPU"
}

start_path() {	# path: the NIC <-> TUN bridge of that path, tun0 up
	PASS_PID=
	case $1 in
	xdpbridge | nogro | nooffload)
		bg path "$NB" "$BR_CPU" "$BR" tun vb --tun tun0 -c "$BR_CPU" $([ "$1" = nooffload ] && echo --no-offload) \
			$([ "$1" = nogro ] && echo --no-gro)
		wait_for "$TMP/path" 'bridging vb <-> tun0' 15 || { cat "$TMP/path" >&2; return 1; }
		pin_napi "$NB" vb "$BR_CPU"
		;;
	afpacket)
		pass_vb || return 1
		bg path "$NB" "$BR_CPU" "$AFP" bridge vb tun0 --peer-mac "$A_MAC" --secs 600
		wait_for "$TMP/path" 'bridging' 5 || { cat "$TMP/path" >&2; return 1; }
		# The socket has its copy; B's stack must not take the frame as well.
		ip -n "$NA" neigh replace 198.18.10.2 lladdr "$V_MAC" dev va nud permanent || return 1
		;;
	esac
	PATH_PID=$LAST
	tun0_up
}

stop_path() {
	[ -n "${PATH_PID:-}" ] && stop_pid "$PATH_PID"
	[ -n "${PASS_PID:-}" ] && stop_pid "$PASS_PID"
	PATH_PID= PASS_PID=
	ip -n "$NA" neigh replace 198.18.10.2 lladdr "$B_MAC" dev va nud permanent
	nsx "$NB" ip link del tun0 2>/dev/null
	if ip -n "$NB" -d link show dev vb | grep -q 'prog/xdp'; then
		echo "   note: an XDP program is still on vb after the path stopped: removing it" >&2
		ip -n "$NB" link set dev vb xdp off
	fi
	return 0
}

# Median of $REPS windows of counter $3 of $2 in namespace $1, in Mpps, after a 1 s warm-up.
# With "ns dev counter multiplier" of what the generator offered as $4..$7, a "*" follows the
# median when the path delivered >= 97 % of the offer in that window: the generator was the limit.
measure() {
	local ns=$1 dev=$2 ctr=$3 r c0 c1 o0 o1 t0 t1 v=()
	sleep 1
	for ((r = 0; r < REPS; r++)); do
		c0=$(counter "$ns" "$dev" "$ctr"); o0=$([ $# -gt 3 ] && counter "$4" "$5" "$6" || echo 0)
		t0=$(date +%s.%N)
		sleep "$SECS"
		c1=$(counter "$ns" "$dev" "$ctr"); o1=$([ $# -gt 3 ] && counter "$4" "$5" "$6" || echo 0)
		t1=$(date +%s.%N)
		v+=("$(python3 -c "
d, o = ($c1 - $c0), ($o1 - $o0) * ${7:-1}
print('%.4f%s' % (d / ($t1 - $t0) / 1e6, '*' if o > 0 and d >= 0.97 * o else ''))")")
	done
	printf '%s\n' "${v[@]}" | sort -n | sed -n "$(((REPS + 1) / 2))p"
	echo "   windows: ${v[*]} Mpps (*: the generator's limit)" >&2
}

nic_to_tun() {	# path [flow]: prints Mpps
	local ctr=RcvbufErrors dev=Udp mpps gen dmac=$B_MAC sink= flow=
	[ "${2:-}" = flow ] && flow=--flow
	if [ "$1" = kernel ]; then
		pass_vb || return 1
		bg path "$NB" "$BR_CPU" "$AFP" drain tun0 --secs 600
		PATH_PID=$LAST
		wait_for "$TMP/path" ready 5 && tun0_up || { stop_path; return 1; }
		sysctl_b net.ipv4.conf.vb.forwarding=1
		dev=tun0 ctr=tx_packets
	else
		start_path "$1" || { stop_path; return 1; }
		# B's stack takes every packet: a UDP socket that never reads, so that each datagram is
		# cut from its super-packet (if it came as one) and dropped at the socket, one by one:
		# counted there (Udp RcvbufErrors).
		ip -n "$NB" addr add 198.18.1.2/32 dev tun0 || { stop_path; return 1; }
		bg sink "$NB" "$GEN_CPU" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
s.bind(("198.18.1.2", 9))
print("ready", flush=True)
time.sleep(600)'
		sink=$LAST
		wait_for "$TMP/sink" ready 5 || { cat "$TMP/sink" >&2; stop_pid "$sink"; stop_path; return 1; }
	fi
	[ "$1" = afpacket ] && dmac=$V_MAC
	# fwd_gen runs at most 9 windows of 10 s: one more window than measured covers the warm-up.
	bg gen "$NA" "$GEN_CPU" "$FGEN" --dev va --dmac "$dmac" --len 64 --peer-ns "$NB" --peer-dev vb \
		--secs "$SECS" --reps $((REPS + 1)) --warmup 0.5 $flow
	gen=$LAST
	mpps=$(measure "$NB" "$dev" "$ctr" "$NA" va tx_packets 1)
	stop_pid "$gen"
	[ -n "$sink" ] && stop_pid "$sink"
	sysctl_b net.ipv4.conf.vb.forwarding=0
	stop_path
	echo "$mpps"
}

tun_to_nic() {	# path [gso]: prints Mpps
	local mpps gen sink gso=${2:-}
	bg sink "$NA" "$GEN_CPU" "$DEVMAP" --obj "$OBJ" --drop va
	sink=$LAST
	wait_for "$TMP/sink" ready 5 || { cat "$TMP/sink" >&2; return 1; }
	pin_napi "$NA" va "$GEN_CPU" fifo
	if [ "$1" = kernel ]; then
		pass_vb || { stop_pid "$sink"; return 1; }
	else
		start_path "$1" || { stop_path; stop_pid "$sink"; return 1; }
		ip -n "$NB" route replace 198.18.10.3/32 dev tun0 src 198.18.11.1
	fi
	# A UDP socket of B's: 64 datagrams per sendmmsg(), or per UDP_SEGMENT send with gso (the
	# path gets one super-packet if its device takes USO, else the host cuts it before the device).
	bg gen "$NB" "$GEN_CPU" "$AFP" send --dst 198.18.10.3 --len 22 $([ -n "$gso" ] && echo --gso 64) --secs 600
	gen=$LAST
	wait_for "$TMP/gen" ready 5 || { cat "$TMP/gen" >&2; stop_pid "$gen"; stop_path; stop_pid "$sink"; return 1; }
	mpps=$(measure "$NA" va rx_packets "$NB" Udp OutDatagrams "$([ -n "$gso" ] && echo 64 || echo 1)")
	stop_pid "$gen"
	ip -n "$NB" route del 198.18.10.3/32 2>/dev/null
	stop_path
	stop_pid "$sink"
	echo "$mpps"
}

ticks() {	# cpu: "busy idle" jiffies from /proc/stat
	awk -v c="cpu$1" '$1 == c { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat
}

tcp() {	# path, iperf3 client options: prints "Gbit/s busy%" (busy: CPU $BR_CPU, mid-run)
	local path=$1 addr=198.18.11.1 srv gbps pass_a busy=- t0 t1
	shift
	# MTU-sized frames on the wire both ways, as on a real NIC, and GRO where they arrive: an
	# XDP program on both veth ends (ours on vb, or XDP_PASS; XDP_PASS on va) takes the other
	# end's TSO away and turns GRO on.  Without it the kernel's path would carry 64 KiB
	# packets across the veth whole, which no wire does.
	bg pass-a "$NA" "$GEN_CPU" "$DEVMAP" --obj "$OBJ" --pass va
	pass_a=$LAST
	wait_for "$TMP/pass-a" ready 5 || { cat "$TMP/pass-a" >&2; stop_pid "$pass_a"; return 1; }
	# A's receive work on A's cpu: veth would run it on the sender's, the path's, otherwise.
	pin_napi "$NA" va "$GEN_CPU"
	csum_tx "$NA" va 0
	if [ "$path" = kernel ]; then
		addr=198.18.10.2
		pass_vb || { stop_pid "$pass_a"; return 1; }
	else
		start_path "$path" || { stop_path; stop_pid "$pass_a"; return 1; }
	fi
	bg iperf-s "$NB" "$GEN_CPU" iperf3 -s -1 -B "$addr" --forceflush
	srv=$LAST
	if wait_for "$TMP/iperf-s" listening 10; then
		nsx "$NA" timeout 30 taskset -c "$GEN_CPU" iperf3 -c "$addr" -t "$SECS" -J "$@" > "$TMP/iperf.json" 2>&1 &
		sleep 1
		t0=$(ticks "$BR_CPU")
		sleep $((SECS > 2 ? SECS - 2 : 1))
		t1=$(ticks "$BR_CPU")
		wait $!
		busy=$(echo "$t0 $t1" | awk '{ b = $3 - $1; i = $4 - $2; if (b + i > 0) printf "%.0f", 100 * b / (b + i); else print "-" }')
	else
		cat "$TMP/iperf-s" >&2
	fi
	gbps=$(python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
print("%.2f" % (j["end"]["sum_received"]["bits_per_second"] / 1e9))' "$TMP/iperf.json" 2>/dev/null || echo "-")
	stop_pid "$srv"
	stop_path
	stop_pid "$pass_a"
	echo "$gbps $busy"
}

tcp_both() {	# path: R[path,tcp_in/tcp_out] and their CPU busy
	local v
	v=$(tcp "$1") || v="- -"
	R[$1,tcp_in]=${v% *} R[$1,cpu_in]=${v#* }
	v=$(tcp "$1" -R) || v="- -"
	R[$1,tcp_out]=${v% *} R[$1,cpu_out]=${v#* }
	echo "   TCP A -> TUN ${R[$1,tcp_in]} Gbit/s (cpu $BR_CPU ${R[$1,cpu_in]}% busy), TUN -> A ${R[$1,tcp_out]} Gbit/s (${R[$1,cpu_out]}%)"
}

main() {
	local p
	declare -gA R
	[ "$(id -u)" -eq 0 ] || { echo "bench: tun.sh needs root"; return 1; }
	python3 -c "import sys; sys.exit(0 if 1 <= $SECS <= 10 and 1 <= $REPS <= 8 else 1)" ||
		{ echo "bench: TUN_SECS 1..10 and TUN_REPS 1..8 (fwd_gen's limits)"; return 1; }
	for b in "$AFP" "$FGEN" "$DEVMAP"; do
		[ -x "$b" ] || make -C "$ROOT" --no-print-directory O="$O" "$b" >/dev/null || { echo "bench: cannot build $b"; return 1; }
	done
	[ -f "$OBJ" ] || make -C "$ROOT" --no-print-directory O="$O" "$OBJ" >/dev/null || return 1
	if ! [ -x "$BR" ] || ! "$BR" tun --help >/dev/null 2>&1; then
		PATHS=${PATHS//nooffload/}
		PATHS=${PATHS//nogro/}
		PATHS=${PATHS//xdpbridge/}
	fi
	command -v iperf3 >/dev/null || { echo "bench: needs iperf3"; return 1; }
	echo "== NIC <-> TUN: xdpbridge tun vs AF_PACKET+TUN vs kernel forwarding ($(nproc) cpus, $SECS s x $REPS)"
	echo "   generators and sinks on cpu $GEN_CPU, the path on cpu $BR_CPU; $(uname -r)"
	topo || { echo "bench: cannot build the topology"; return 1; }
	for p in $PATHS; do
		echo "-- $p"
		R[$p,in]=- R[$p,inflow]=- R[$p,out]=- R[$p,outgso]=- R[$p,tcp_in]=- R[$p,tcp_out]=-
		if [ "$PARTS" = tcp ]; then
			tcp_both "$p"
			continue
		fi
		R[$p,in]=$(nic_to_tun "$p") || R[$p,in]=-
		echo "   NIC -> TUN 64 B, identical frames: ${R[$p,in]} Mpps"
		R[$p,inflow]=$(nic_to_tun "$p" flow) || R[$p,inflow]=-
		echo "   NIC -> TUN 64 B, one UDP flow: ${R[$p,inflow]} Mpps"
		R[$p,out]=$(tun_to_nic "$p") || R[$p,out]=-
		echo "   TUN -> NIC 64 B, sendmmsg: ${R[$p,out]} Mpps"
		R[$p,outgso]=$(tun_to_nic "$p" gso) || R[$p,outgso]=-
		echo "   TUN -> NIC 64 B, a UDP_SEGMENT socket: ${R[$p,outgso]} Mpps"
		tcp_both "$p"
	done
	echo
	python3 - "$PATHS" "$(for p in $PATHS; do echo "$p ${R[$p,in]} ${R[$p,inflow]} ${R[$p,out]} ${R[$p,outgso]} ${R[$p,tcp_in]} ${R[$p,tcp_out]} ${R[$p,cpu_in]} ${R[$p,cpu_out]}"; done)" <<'PY'
import sys
paths = sys.argv[1].split()
rows = {l.split()[0]: l.split()[1:] for l in sys.argv[2].splitlines() if l.strip()}
ref = rows.get("xdpbridge")
def cell(v, r):
    star = "*" if v.endswith("*") else ""
    v, r = v.rstrip("*"), (r or "").rstrip("*")
    try:
        s = ("%.3f" % float(v) if float(v) < 10 else "%.1f" % float(v)) + star
    except ValueError:
        return "%-16s" % "-"
    try:
        return "%-16s" % ("%s (%.2fx)" % (s, float(v) / float(r)))
    except (TypeError, ValueError, ZeroDivisionError):
        return "%-16s" % s
cols = ("NIC->TUN raw", "NIC->TUN flow", "TUN->NIC mmsg", "TUN->NIC gso", "TCP A->TUN", "TCP TUN->A")
print("%-10s" % "path" + "".join(" %-16s" % c for c in cols) + " cpu busy (TCP)")
print("%-10s" % "" + "".join(" %-16s" % u for u in ("Mpps",) * 4 + ("Gbit/s",) * 2))
for p in paths:
    v = rows.get(p, ["-"] * (len(cols) + 2))
    v += ["-"] * (len(cols) + 2 - len(v))
    print("%-10s" % p + "".join(" " + cell(v[i], ref[i] if ref else None) for i in range(len(cols))) +
          " %s%% / %s%%" % (v[6], v[7]))
print("(x: ratio to xdpbridge; *: the path carried >= 97 % of what the generator offered: the")
print(" generator was the limit, the path may do more.  raw: identical frames, IP id 0, no UDP checksum (nothing to join);")
print(" flow: one UDP flow as a Linux socket sends it (ids in sequence, checksums); TUN->NIC: a UDP")
print(" socket in B, 64 datagrams per sendmmsg (mmsg) or per UDP_SEGMENT send (gso);")
print(" kernel TCP: no TUN, A <-> B's own stack; MTU-sized frames on the wire in every path;")
print(" cpu busy: the path's CPU during the TCP runs, A->TUN / TUN->A: the other CPU, with both")
print(" iperf3 ends and A's stack, is the limit when the path's is not busy)")
PY
}

mkdir -p "$OUT"
main 2>&1 | tee "$OUT/tun.txt"
exit "${PIPESTATUS[0]}"
