#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# Port-to-port forwarding benchmark: xdpbridge fwd against the kernel's XDP_REDIRECT, a Linux
# bridge and DPDK testpmd (net_af_xdp), all between the same two veth ports, in one run.
#
#   tests/bench/fwd.sh [BUILD_DIR]      (root; run by tests/bench/run.sh, i.e. `make bench`)
#
#   ns $GEN: fg0 198.18.1.1 <=veth=> fp0 [ns $FWD: FORWARDER] fp1 <=veth=> fs0 198.18.1.2 :ns $SINK
#
# Generator and sink share CPU $GEN_CPU (0), the forwarder has CPU $FWD_CPU (1): the processes
# with taskset, and the kernel's share of the work through threaded NAPI (each veth end's NAPI
# thread pinned: fp0/fp1 -> the forwarder's CPU, fs0 -> the sink's).  Every veth end in the
# path gets an XDP program, so every path takes the same NAPI route (a frame redirected into a
# veth needs one on the receiving end, or GRO; an XDP program needs no ethtool):
#
#   fs0     xdp_drop (bpf/xdp_devmap_redirect.bpf.c): the cheapest sink; veth has counted the frame
#           in fs0's rx_packets before XDP runs (checked below with a known count on each path)
#   path    xdpbridge fwd fp0 fp1 -c $FWD_CPU          its own XDP program, AF_XDP copy mode
#           devmap_fwd fp0 fp1                         XDP_REDIRECT through a DEVMAP_HASH
#           br0 with fp0, fp1 + xdp_pass on both      the kernel's bridge (STP off)
#           dpdk-testpmd --vdev net_af_xdp0/1          io forwarding, when /usr/bin/dpdk-testpmd exists
#
# Throughput: fwd_gen (AF_XDP TX on fg0, as fast as it can) offers 64- and 1500-byte frames for a
# warm-up and $REPS windows of $SECS s; Mpps = fs0's rx_packets delta / window; the median is
# shown, with the ratio to xdpbridge.  "*" marks a point where the sink got >= 97% of what the
# generator offered and fg0 dropped < 1% (fp0's ring never overflowed): the generator, not the
# forwarder, was the limit (the true capacity is higher).  fs0's NAPI thread runs SCHED_FIFO on
# the shared CPU, so the sink goes first and the generator gets what is left.
# Overload: the same paths fed by xdpgen's live-frames engine, which the path cannot throttle;
# where the kernel refuses live frames the rows say so instead (see overload()).
# Latency: xdpsock-ping on fg0 -> xdpsock-echo on fs0 through the path and back, 2000 frames at
# 1000 pps, p50/p99 of the round trip (two forwarder crossings); then the same with `xdpgen ping
# --json` (when built) for more percentiles (min/p50/p90/p99/p99.9/max: the CDF of the report).
#
# Needs: root, 2 CPUs (else everything shares one), the build's bench/fwd_gen, bench/devmap_fwd,
# bin/xdpsock-ping, bin/xdpsock-echo, bin/xdpbridge (path skipped without `fwd`), and
# bpf/xdp_devmap_redirect.bpf.o (built here with make when missing: `make bench` does not list it).
# No ethtool: the XDP programs above take the place of GRO.  DPDK is skipped when absent
# (apt-get install dpdk-dev); after testpmd, its XDP programs are removed (DESIGN.md: EBUSY).
#
# Results to stdout and bench/out/fwd.txt; for tests/bench/report.py also bench/out/fwd.tsv (the
# table: path, key, value), rtt_PATH.txt (xdpsock-ping), rtt_PATH.json (xdpgen ping) and the
# commands in bench/out/commands.txt.  Environment: FWD_SECS (3), FWD_REPS (3), FWD_SIZES
# ("64 1500"), FWD_PATHS ("xdpbridge devmap bridge testpmd"), GEN_CPU (0), FWD_CPU (1), TESTPMD.
# About 100 s.  Everything made here (namespaces, links, XDP programs, processes) is removed on
# exit, also on failure or Ctrl-C.
set -u -o pipefail
O=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $O in /*) ;; *) O=$ROOT/$O ;; esac
OUT=$ROOT/bench/out
SECS=${FWD_SECS:-3}
REPS=${FWD_REPS:-3}
SIZES=${FWD_SIZES:-64 1500}
PATHS=${FWD_PATHS:-xdpbridge devmap bridge testpmd}
GEN_CPU=${GEN_CPU:-0}
FWD_CPU=${FWD_CPU:-1}
PFX=xfb$$
GEN=$PFX-gen
FWD=$PFX-fwd
SINK=$PFX-sink
GEN_MAC=02:00:00:00:02:01
SINK_MAC=02:00:00:00:02:02
BR=$O/bin/xdpbridge
DEVMAP=$O/bench/devmap_fwd
FGEN=$O/bench/fwd_gen
OBJ=$O/bpf/xdp_devmap_redirect.bpf.o
TESTPMD=${TESTPMD:-/usr/bin/dpdk-testpmd}
TMP=$(mktemp -d "/tmp/$PFX.XXXXXX") || exit 1
PIDS=()
SINK_PID=

stop_pid() {	# pid [grace seconds]: SIGINT, then SIGKILL
	local pid=$1 grace=${2:-5} i
	kill -0 "$pid" 2>/dev/null || return 0
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
	for ns in "$GEN" "$FWD" "$SINK"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
	done
	for ns in "$GEN" "$FWD" "$SINK"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$TMP" "/var/run/dpdk/$PFX"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The exact command, for the report (tests/bench/report.py).
logc() { echo "$*" >> "$OUT/commands.txt"; }

# In the foreground only: a function run with & is a subshell, and $! would not be the process.
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# Wait (bounded) until file $1 has a line matching $2.  The caller empties the file first, in the
# foreground: a background job truncates it only later, and a line of an earlier run would match.
wait_for() {
	local i
	for ((i = 0; i < ${3:-10} * 20; i++)); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

topo() {
	local ns
	for ns in "$GEN" "$FWD" "$SINK"; do
		ip netns add "$ns" && ip -n "$ns" link set lo up &&
		nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || return 1
	done
	ip link add fg0 netns "$GEN" address "$GEN_MAC" type veth peer name fp0 netns "$FWD" address 02:00:00:00:02:10 &&
	ip link add fs0 netns "$SINK" address "$SINK_MAC" type veth peer name fp1 netns "$FWD" address 02:00:00:00:02:11 &&
	ip -n "$GEN" addr add 198.18.1.1/24 dev fg0 && ip -n "$SINK" addr add 198.18.1.2/24 dev fs0 &&
	ip -n "$GEN" link set fg0 up && ip -n "$SINK" link set fs0 up &&
	ip -n "$FWD" link set fp0 up && ip -n "$FWD" link set fp1 up &&
	ip -n "$GEN" neigh replace 198.18.1.2 lladdr "$SINK_MAC" dev fg0 nud permanent &&
	ip -n "$SINK" neigh replace 198.18.1.1 lladdr "$GEN_MAC" dev fs0 nud permanent || return 1
	# operstate goes UP asynchronously (linkwatch): wait, so that no forwarder starts on a "down" port.
	oper_up "$FWD" fp0 && oper_up "$FWD" fp1 && oper_up "$GEN" fg0 && oper_up "$SINK" fs0
}

oper_up() {	# namespace ifname: wait (bounded: 5 s) for operstate up
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(nsx "$1" cat "/sys/class/net/$2/operstate" 2>/dev/null)" = up ] && return 0
		sleep 0.05
	done
	echo "bench: $2 did not come up within 5 s" >&2
	return 1
}

# Threaded NAPI on veth end $2 (namespace $1), its kernel thread(s) pinned to CPU $3; with $4
# = fifo also SCHED_FIFO 1, so that it always runs before a generator that never sleeps.
pin_napi() {
	local ns=$1 dev=$2 cpu=$3 pid n=0
	nsx "$ns" sh -c "echo 1 > /sys/class/net/$dev/threaded" 2>/dev/null || { echo "   (no threaded NAPI on $dev)"; return 0; }
	for pid in $(ps -e -o pid=,comm= | awk -v d="napi/$dev-" 'index($2, d) == 1 {print $1}'); do
		taskset -pc "$cpu" "$pid" >/dev/null 2>&1 && n=$((n + 1))
		[ "${4:-}" = fifo ] && chrt -f -p 1 "$pid" >/dev/null 2>&1
	done
	[ $n -gt 0 ] || echo "   (no NAPI thread found for $dev: its kernel work is not pinned)"
}

sink_start() {	# xdp_drop on fs0, its NAPI on the generator's CPU
	: > "$TMP/sink.out"
	ip netns exec "$SINK" "$DEVMAP" --obj "$OBJ" --drop fs0 > "$TMP/sink.out" 2>&1 &
	SINK_PID=$!
	PIDS+=("$SINK_PID")
	wait_for "$TMP/sink.out" 'ready' 5 || { cat "$TMP/sink.out"; return 1; }
	# The sink shares its CPU with a generator that never sleeps: it goes first, so that what
	# the forwarder delivers is counted, not dropped at fs0 for want of CPU.
	pin_napi "$SINK" fs0 "$GEN_CPU" fifo
}

sink_stop() { [ -n "$SINK_PID" ] && stop_pid "$SINK_PID"; SINK_PID=; }

no_xdp_left() {	# after each path: the ports are bare again
	local d
	for d in fp0 fp1; do
		if ip -n "$FWD" -d link show dev "$d" | grep -q 'prog/xdp'; then
			echo "   note: an XDP program is still on $d after the path stopped: removing it"
			ip -n "$FWD" link set dev "$d" xdp off 2>/dev/null
			ip -n "$FWD" link set dev "$d" xdpgeneric off 2>/dev/null
		fi
	done
}

# ---- the forwarders: start (ready when they return 0) and stop --------------------------------

FWD_PID=
start_xdpbridge() {
	: > "$TMP/fwd.out"
	: > "$TMP/fwd.err"
	logc ip netns exec "$FWD" taskset -c "$FWD_CPU" "$BR" fwd fp0 fp1 -c "$FWD_CPU"
	ip netns exec "$FWD" env --default-signal=INT taskset -c "$FWD_CPU" "$BR" fwd fp0 fp1 -c "$FWD_CPU" > "$TMP/fwd.out" 2> "$TMP/fwd.err" &
	FWD_PID=$!
	PIDS+=("$FWD_PID")
	wait_for "$TMP/fwd.err" 'forwarding fp0 <-> fp1' 15 || { cat "$TMP/fwd.err"; return 1; }
	sed 's/^/   | /' "$TMP/fwd.err"
}
stop_xdpbridge() {
	stop_pid "$FWD_PID" 10
	echo "   xdpbridge's final summary:"
	sed 's/^/   | /' "$TMP/fwd.out" | tail -n 25
}

start_devmap() {
	: > "$TMP/fwd.out"
	logc ip netns exec "$FWD" "$DEVMAP" --obj "$OBJ" fp0 fp1
	ip netns exec "$FWD" "$DEVMAP" --obj "$OBJ" fp0 fp1 > "$TMP/fwd.out" 2>&1 &
	FWD_PID=$!
	PIDS+=("$FWD_PID")
	wait_for "$TMP/fwd.out" 'ready' 5 || { cat "$TMP/fwd.out"; return 1; }
	sed 's/^/   | /' "$TMP/fwd.out"
}
stop_devmap() { stop_pid "$FWD_PID"; }

start_bridge() {
	logc "ip -n $FWD link add br0 type bridge stp_state 0 mcast_snooping 0; ip -n $FWD link set fp0 master br0; ip -n $FWD link set fp1 master br0"
	logc ip netns exec "$FWD" "$DEVMAP" --obj "$OBJ" --pass fp0 fp1
	ip -n "$FWD" link add br0 type bridge stp_state 0 mcast_snooping 0 &&
	ip -n "$FWD" link set fp0 master br0 && ip -n "$FWD" link set fp1 master br0 &&
	ip -n "$FWD" link set br0 up || return 1
	# XDP_PASS on both ports: the same NAPI receive path as the other forwarders (no ethtool needed).
	: > "$TMP/fwd.out"
	ip netns exec "$FWD" "$DEVMAP" --obj "$OBJ" --pass fp0 fp1 > "$TMP/fwd.out" 2>&1 &
	FWD_PID=$!
	PIDS+=("$FWD_PID")
	wait_for "$TMP/fwd.out" 'ready' 5 || { cat "$TMP/fwd.out"; return 1; }
	echo "   | br0 (stp off) with ports fp0, fp1; $(cat "$TMP/fwd.out")"
}
stop_bridge() {
	stop_pid "$FWD_PID"
	ip -n "$FWD" link del br0 2>/dev/null
}

start_testpmd() {
	# DESIGN.md's invocation: no PCI, no huge pages, copy mode.  Two lcores, both on the forwarder's
	# CPU: the main one (idle: stats every 1000 s) and the forwarding one (busy polling).
	: > "$TMP/fwd.out"
	logc ip netns exec "$FWD" "$TESTPMD" --no-pci --no-huge -m 1024 --file-prefix "$PFX" --lcores "0@$FWD_CPU,1@$FWD_CPU" \
		--vdev "net_af_xdp0,iface=fp0,start_queue=0,queue_count=1,force_copy=1" \
		--vdev "net_af_xdp1,iface=fp1,start_queue=0,queue_count=1,force_copy=1" \
		-- --forward-mode=io --nb-cores=1 --rxq=1 --txq=1 --auto-start --stats-period=1000
	ip netns exec "$FWD" "$TESTPMD" --no-pci --no-huge -m 1024 --file-prefix "$PFX" --lcores "0@$FWD_CPU,1@$FWD_CPU" \
		--vdev "net_af_xdp0,iface=fp0,start_queue=0,queue_count=1,force_copy=1" \
		--vdev "net_af_xdp1,iface=fp1,start_queue=0,queue_count=1,force_copy=1" \
		-- --forward-mode=io --nb-cores=1 --rxq=1 --txq=1 --auto-start --stats-period=1000 \
		> "$TMP/fwd.out" 2>&1 < /dev/null &
	FWD_PID=$!
	PIDS+=("$FWD_PID")
	if ! wait_for "$TMP/fwd.out" 'packet forwarding - ports=2|Start automatic packet forwarding' 30; then
		tail -n 20 "$TMP/fwd.out" | sed 's/^/   | /'
		return 1
	fi
	grep -E 'af_xdp|Port [01]:|forwarding' "$TMP/fwd.out" | head -n 8 | sed 's/^/   | /'
}
stop_testpmd() {
	stop_pid "$FWD_PID" 10
	grep -E 'RX-packets|TX-packets|RX-dropped|TX-dropped' "$TMP/fwd.out" | tail -n 6 | sed 's/^/   | /'
	# DESIGN.md: testpmd may leave its XDP program behind, and the next bind gets EBUSY.
	ip -n "$FWD" link set dev fp0 xdp off 2>/dev/null
	ip -n "$FWD" link set dev fp1 xdp off 2>/dev/null
}

# ---- measuring -----------------------------------------------------------------------------------

declare -A MPPS OFFERED GENDROP RTT50 RTT99 NOTE OVER OVER_OFFERED
OVERLOAD_REFUSED=

# A known number of frames must arrive, exactly: the path forwards and fs0 counts right.
path_check() {
	local r
	r=$(nsx "$GEN" taskset -c "$GEN_CPU" "$FGEN" --dev fg0 --dmac "$SINK_MAC" --len 64 --peer-ns "$SINK" \
		--peer-dev fs0 --count 1000 --rate 10000 2>&1 | grep '^RESULT')
	echo "   path check: $r (1000 frames at 10 kpps)"
	[ "$r" = "RESULT sent=1000 delivered=1000" ]
}

throughput() {	# path
	local p=$1 len line
	for len in $SIZES; do
		echo "   \$ fwd_gen --dev fg0 --len $len --secs $SECS --reps $REPS   (taskset -c $GEN_CPU, in $GEN)"
		logc ip netns exec "$GEN" taskset -c "$GEN_CPU" "$FGEN" --dev fg0 --dmac "$SINK_MAC" --len "$len" --peer-ns "$SINK" \
			--peer-dev fs0 --secs "$SECS" --reps "$REPS" --warmup 0.5
		nsx "$GEN" taskset -c "$GEN_CPU" "$FGEN" --dev fg0 --dmac "$SINK_MAC" --len "$len" --peer-ns "$SINK" \
			--peer-dev fs0 --secs "$SECS" --reps "$REPS" --warmup 0.5 > "$TMP/gen.out" 2>&1
		sed 's/^/   /' "$TMP/gen.out" | grep -v '^   RESULT'
		line=$(grep '^RESULT' "$TMP/gen.out") || { MPPS[$p,$len]=fail; continue; }
		MPPS[$p,$len]=$(sed 's/.*delivered_mpps=\([0-9.]*\).*/\1/' <<<"$line")
		OFFERED[$p,$len]=$(sed 's/.*offered_mpps=\([0-9.]*\).*/\1/' <<<"$line")
		GENDROP[$p,$len]=$(sed 's/.*gen_dropped_mpps=\([0-9.]*\).*/\1/' <<<"$line")
	done
}

fs0_rx() { nsx "$SINK" cat /sys/class/net/fs0/statistics/rx_packets; }

# Overload: xdpgen's live-frames engine (BPF_PROG_RUN in the kernel, not throttled by the path
# the way an AF_XDP copy-mode source is) offers 64-byte frames for $SECS s; Mpps delivered at
# fs0.  Where the kernel refuses live frames, xdpgen says so and the rows are not measured: the
# refusal is recorded once, for the report.
overload() {	# path
	local p=$1 before after secs
	[ -x "$O/bin/xdpgen" ] || return 0
	if [ -n "$OVERLOAD_REFUSED" ]; then
		echo "   overload: not measured ($OVERLOAD_REFUSED)"
		return 0
	fi
	logc ip netns exec "$GEN" taskset -c "$GEN_CPU" "$O/bin/xdpgen" tx fg0 --engine live --dst-mac "$SINK_MAC" \
		--src-ip 198.18.1.1 --dst-ip 198.18.1.2 --size 64 --duration "$SECS" --json
	before=$(fs0_rx)
	if ! nsx "$GEN" taskset -c "$GEN_CPU" timeout $((SECS + 20)) "$O/bin/xdpgen" tx fg0 --engine live \
		--dst-mac "$SINK_MAC" --src-ip 198.18.1.1 --dst-ip 198.18.1.2 --size 64 --duration "$SECS" --json \
		> "$TMP/ov.json" 2> "$TMP/ov.err"; then
		if grep -q 'refused by this kernel' "$TMP/ov.err"; then
			OVERLOAD_REFUSED=$(grep -m1 -o 'live frames.*refused by this kernel ([^)]*)' "$TMP/ov.err")
			echo "   overload: not measured ($OVERLOAD_REFUSED)"
		else
			echo "   overload: xdpgen failed:"; sed 's/^/   | /' "$TMP/ov.err" | tail -n 3
			OVER[$p]=fail
		fi
		return 0
	fi
	after=$(fs0_rx)
	secs=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["seconds"])' "$TMP/ov.json" 2>/dev/null)
	OVER[$p]=$(python3 -c "print('%.3f' % (($after - $before) / max(float('${secs:-0}'), 1e-9) / 1e6))")
	OVER_OFFERED[$p]=$(python3 -c 'import json, sys; print("%.3f" % (json.load(open(sys.argv[1]))["pps"] / 1e6))' "$TMP/ov.json")
	echo "   overload (live frames): offered ${OVER_OFFERED[$p]} Mpps, delivered ${OVER[$p]} Mpps at fs0"
}

latency() {	# path: xdpsock-ping -> xdpsock-echo through it (fs0's sink program steps aside)
	local p=$1 epid line
	sink_stop
	: > "$TMP/echo.out"
	ip netns exec "$SINK" taskset -c "$GEN_CPU" "$O/bin/xdpsock-echo" -d 20 fs0 > "$TMP/echo.out" 2>&1 &
	epid=$!
	PIDS+=("$epid")
	if wait_for "$TMP/echo.out" 'echoing' 5; then
		logc ip netns exec "$SINK" taskset -c "$GEN_CPU" "$O/bin/xdpsock-echo" -d 20 fs0
		logc ip netns exec "$GEN" taskset -c "$GEN_CPU" "$O/bin/xdpsock-ping" fg0 --dst-mac "$SINK_MAC" \
			--src-ip 198.18.1.1 --dst-ip 198.18.1.2 -c 2000 -r 1000 -w 500
		nsx "$GEN" taskset -c "$GEN_CPU" timeout 20 "$O/bin/xdpsock-ping" fg0 --dst-mac "$SINK_MAC" \
			--src-ip 198.18.1.1 --dst-ip 198.18.1.2 -c 2000 -r 1000 -w 500 > "$TMP/ping.out" 2>&1
		grep -E 'sent|rtt' "$TMP/ping.out" | sed 's/^/   | /'
		cp "$TMP/ping.out" "$OUT/rtt_$p.txt"
		if [ -x "$O/bin/xdpgen" ]; then	# the same round trip, more percentiles (for the CDF)
			logc ip netns exec "$GEN" taskset -c "$GEN_CPU" "$O/bin/xdpgen" ping fg0 --dst-mac "$SINK_MAC" \
				--src-ip 198.18.1.1 --dst-ip 198.18.1.2 -c 2000 -r 1000 -w 500 --json
			nsx "$GEN" taskset -c "$GEN_CPU" timeout 20 "$O/bin/xdpgen" ping fg0 --dst-mac "$SINK_MAC" \
				--src-ip 198.18.1.1 --dst-ip 198.18.1.2 -c 2000 -r 1000 -w 500 --json > "$OUT/rtt_$p.json" 2> "$TMP/xg.err"
			python3 -c 'import json, sys
j = json.load(open(sys.argv[1])); r = j["rtt_us"]
print("   | xdpgen ping: sent %d, received %d, lost %d; rtt (us): min %.1f p50 %.1f p90 %.1f p99 %.1f p99.9 %.1f max %.1f"
      % (j["sent"], j["received"], j["lost"], r["min"], r["p50"], r["p90"], r["p99"], r["p99.9"], r["max"]))' \
				"$OUT/rtt_$p.json" 2>/dev/null || { echo "   | xdpgen ping failed:"; sed 's/^/   | /' "$TMP/xg.err" | tail -n 5; }
		fi
		line=$(grep 'rtt (us)' "$TMP/ping.out")
		RTT50[$p]=$(sed -n 's/.*p50 \([0-9.]*\).*/\1/p' <<<"$line")
		RTT99[$p]=$(sed -n 's/.*p99 \([0-9.]*\).*/\1/p' <<<"$line")
	else
		sed 's/^/   | /' "$TMP/echo.out"
	fi
	stop_pid "$epid"
	sink_start
}

run_path() {	# key, title, start function, stop function
	local p=$1 title=$2 start=$3 stop=$4
	echo
	echo "== $title =="
	if ! $start; then
		NOTE[$p]="did not start"
		$stop 2>/dev/null
		no_xdp_left
		return 1
	fi
	pin_napi "$FWD" fp0 "$FWD_CPU"
	pin_napi "$FWD" fp1 "$FWD_CPU"
	if ! path_check; then
		NOTE[$p]="path check failed"
		echo "   the path does not deliver exactly what was sent: its numbers below are suspect"
	fi
	throughput "$p"
	overload "$p"
	latency "$p"
	$stop
	no_xdp_left
}

# ---- the run --------------------------------------------------------------------------------------

machine() {
	echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "kernel:   $(uname -srvm)"
	echo "cpu:      $(lscpu | sed -n 's/^Model name: *//p') x $(nproc)"
	echo "tree:     $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
	echo "fwd:      FWD_SECS=$SECS FWD_REPS=$REPS FWD_SIZES=\"$SIZES\" FWD_PATHS=\"$PATHS\""
	echo "pinning:  generator + sink on CPU $GEN_CPU, forwarder (process and NAPI threads of fp0/fp1) on CPU $FWD_CPU"
	echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"
}

fmt_ratio() {	# value base
	python3 -c 'import sys
v, b = sys.argv[1], sys.argv[2]
try:
    print("%.2f" % (float(v) / float(b)))
except Exception:
    print("-")' "$1" "$2"
}

table() {
	local p len v o mark hdr
	echo
	echo "== forwarding fg0 -> fs0 through one forwarder on CPU $FWD_CPU, one queue, veth copy mode; median of $REPS x ${SECS}s =="
	hdr=$(printf '%-30s' "path")
	for len in $SIZES; do hdr+=$(printf ' %10s %6s' "${len}B Mpps" "ratio"); done
	hdr+=$(printf ' %9s %9s  %s' "RTT p50" "RTT p99" "(us, ping->echo->ping)")
	echo "$hdr"
	: > "$OUT/fwd.tsv"
	for p in $PATHS; do
		[ -n "${TITLE[$p]:-}" ] || continue
		printf '%s\t%s\t%s\n' "$p" title "${TITLE[$p]}" "$p" note "${NOTE[$p]:-}" \
			"$p" rtt_p50 "${RTT50[$p]:-}" "$p" rtt_p99 "${RTT99[$p]:-}" \
			"$p" overload_mpps "${OVER[$p]:-}" "$p" overload_offered "${OVER_OFFERED[$p]:-}" >> "$OUT/fwd.tsv"
		for len in $SIZES; do
			printf '%s\t%s\t%s\n' "$p" "mpps_$len" "${MPPS[$p,$len]:-}" "$p" "offered_$len" "${OFFERED[$p,$len]:-}" \
				"$p" "gendrop_$len" "${GENDROP[$p,$len]:-}" >> "$OUT/fwd.tsv"
		done
		printf '%-30s' "${TITLE[$p]}"
		for len in $SIZES; do
			v=${MPPS[$p,$len]:-}
			o=${OFFERED[$p,$len]:-}
			mark=" "
			if [ -n "$v" ] && [ -n "$o" ] && python3 -c "import sys; v, o, d = float('$v'), float('$o'), float('${GENDROP[$p,$len]:-0}')
sys.exit(0 if v >= 0.97 * o > 0 and d <= 0.01 * o else 1)" 2>/dev/null; then
				mark="*"
			fi
			printf ' %9s%s %6s' "${v:--}" "$mark" "$(fmt_ratio "${v:-x}" "${MPPS[xdpbridge,$len]:-x}")"
		done
		printf ' %9s %9s  %s\n' "${RTT50[$p]:--}" "${RTT99[$p]:--}" "${NOTE[$p]:-}"
	done
	echo "(* the sink got >= 97% of what the generator offered and the forwarder's ingress never overflowed:"
	echo "   generator-bound, the forwarder can do more)"
	echo "source: fwd_gen, an AF_XDP copy-mode TX socket: on veth it offers what the path can take, so these"
	echo "   are capacities under a lossless source, not behaviour under overload"
	if [ -n "$OVERLOAD_REFUSED" ]; then
		printf '%s\t%s\t%s\n' _ overload_refused "$OVERLOAD_REFUSED" >> "$OUT/fwd.tsv"
		echo "overload (xdpgen --engine live as the source): not measured: $OVERLOAD_REFUSED"
	fi
}

declare -A TITLE
main() {
	local rc=0
	echo "xdpsock forwarding benchmark ($O)"
	machine
	if [ "$(id -u)" != 0 ]; then
		echo "   skipped: needs root (namespaces, veth, XDP, AF_XDP)"
		return 0
	fi
	if [ "$(nproc)" -lt 2 ]; then
		echo "   note: one CPU only: generator, sink and forwarder share it"
		GEN_CPU=0 FWD_CPU=0
	fi
	for b in "$FGEN" "$DEVMAP" "$O/bin/xdpsock-ping" "$O/bin/xdpsock-echo"; do
		[ -x "$b" ] || { echo "bench: $b is missing: run make bench" >&2; return 1; }
	done
	if [ ! -r "$OBJ" ]; then
		echo "   building $OBJ (make does not list it as a dependency of bench)"
		make -s -C "$ROOT" O="$O" "$OBJ" || { echo "bench: cannot build $OBJ" >&2; return 1; }
	fi
	topo || { echo "bench: cannot build the namespaces" >&2; return 1; }
	echo "namespaces $GEN (fg0 198.18.1.1) -- $FWD (fp0, fp1) -- $SINK (fs0 198.18.1.2), one queue per veth end"
	sink_start || { echo "bench: cannot attach the sink program to fs0" >&2; return 1; }

	TITLE[xdpbridge]="xdpbridge fwd"
	TITLE[devmap]="kernel XDP_REDIRECT (devmap)"
	TITLE[bridge]="Linux bridge (br0)"
	TITLE[testpmd]="DPDK testpmd (net_af_xdp)"
	for p in $PATHS; do
		case $p in
		xdpbridge)
			if "$BR" fwd --help >/dev/null 2>&1; then
				run_path xdpbridge "xdpbridge fwd fp0 fp1 -c $FWD_CPU (AF_XDP, copy mode)" start_xdpbridge stop_xdpbridge || rc=1
			else
				NOTE[xdpbridge]="skipped: $BR has no fwd command"
			fi ;;
		devmap)
			run_path devmap "kernel XDP_REDIRECT: devmap_fwd fp0 fp1 (DEVMAP_HASH, native XDP)" start_devmap stop_devmap || rc=1 ;;
		bridge)
			run_path bridge "Linux bridge br0 (fp0, fp1; XDP_PASS on both for NAPI)" start_bridge stop_bridge || rc=1 ;;
		testpmd)
			if [ -x "$TESTPMD" ]; then
				run_path testpmd "DPDK testpmd, io forwarding, net_af_xdp on fp0 and fp1 (force_copy)" start_testpmd stop_testpmd || rc=1
			else
				NOTE[testpmd]="skipped: no $TESTPMD (apt-get install dpdk-dev)"
			fi ;;
		*)
			echo "bench: unknown path '$p' in FWD_PATHS" >&2
			rc=1 ;;
		esac
	done
	table
	echo
	echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
	return $rc
}

mkdir -p "$OUT"
rm -f "$OUT/fwd.tsv" "$OUT"/rtt_*.txt "$OUT"/rtt_*.json
main 2>&1 | tee "$OUT/fwd.txt"
rc=${PIPESTATUS[0]}
echo "results: $OUT/fwd.txt"
exit "$rc"
