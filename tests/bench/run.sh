#!/usr/bin/env bash
# Benchmarks, run by `make bench` after it built $O/bench/*.  Builds nothing itself.
#
#   tests/bench/run.sh [BUILD_DIR]        (root for tx_rate: namespaces, veth, AF_XDP)
#
#   1. ring_bench: seek/peek/commit over in-memory rings (no kernel): ns/frame, then exact
#      instructions/frame under callgrind (perf has no hardware counters in most VMs).
#   2. tx_rate: xdpsock TX vs AF_PACKET sendmmsg on a veth pair between two namespaces made
#      here (xsb<pid>a: va 198.18.0.1/24 <=> vb, no address: xsb<pid>b), counted at vb.
#   3. fwd.sh: port-to-port forwarding, xdpbridge fwd vs the kernel's XDP_REDIRECT, a Linux
#      bridge and DPDK testpmd, in its own three namespaces (see tests/bench/fwd.sh; its
#      environment: FWD_SECS, FWD_REPS, FWD_SIZES, FWD_PATHS, GEN_CPU, FWD_CPU).
#
# Results go to stdout and to bench/out/results.txt (gitignored), with the commands and the
# machine; fwd.sh's also to bench/out/fwd.txt.  Each part also leaves its raw output in
# bench/out/ (machine.txt, commands.txt, ring.txt, ring_cg.txt, tx_rate.txt, fwd.tsv, rtt_*),
# from which tests/bench/report.py writes bench/results.md, bench/results.json, bench/mpps.png
# and bench/latency.png (committed).  Environment: BENCH_CPU (default 1), BENCH_SECS
# (3), BENCH_REPS (3).  About 40 s, plus about 100 s for fwd.sh.
# Everything made here is removed on exit, also on failure or Ctrl-C.
set -u -o pipefail
O=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/bench/out
CPU=${BENCH_CPU:-1}
SECS=${BENCH_SECS:-3}
REPS=${BENCH_REPS:-3}
NSA=xsb$$a
NSB=xsb$$b
TMP=$(mktemp -d /tmp/xsb$$.XXXXXX)

cleanup() {
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

case $O in /*) ;; *) O=$ROOT/$O ;; esac
for b in ring_bench tx_rate; do
	[ -x "$O/bench/$b" ] || { echo "bench: $O/bench/$b is missing: run make bench" >&2; exit 1; }
done
mkdir -p "$OUT"
# This run's raw results only (tun.txt and other files in bench/out/ are not ours).
rm -f "$OUT"/{machine,commands,ring,ring_cg,tx_rate}.txt "$OUT"/fwd.tsv "$OUT"/rtt_*.json "$OUT"/rtt_*.txt

# Show a command, then run it (bounded in time).  Also logged for the report (commands.txt).
run() {
	echo "\$ $*"
	echo "$*" >> "$OUT/commands.txt"
	timeout --foreground --signal=TERM --kill-after=5 120 "$@"
}

machine() {
	echo "bench:    $O"
	echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "kernel:   $(uname -srvm)"
	echo "cpu:      $(lscpu | sed -n 's/^Model name: *//p') x $(nproc), $(lscpu | sed -n 's/^Hypervisor vendor: *//p;' | sed 's/^/hypervisor /')"
	echo "os:       $(. /etc/os-release && echo "$PRETTY_NAME")"
	echo "compiler: $(${CC:-cc} --version | head -n1)   (binaries from make: CFLAGS=${CFLAGS:--O2 -g})"
	echo "tree:     $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
	echo "pinning:  benchmarks on CPU $CPU (taskset)"
	echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start: other work on these $(nproc) CPUs skews the times"
}

ring() {
	echo
	echo "== 1. ring fast path, mock rings (tests/double/mock.c), 64-byte frames, no data touched =="
	echo "   time: application loop only; the kernel double runs between rounds, untimed"
	run taskset -c "$CPU" "$O/bench/ring_bench" | tee "$OUT/ring.txt" || return 1
	echo
	if ! command -v valgrind >/dev/null; then
		echo "   (valgrind not installed: no instruction counts)"
		return 0
	fi
	echo "   instructions: callgrind, counted only inside the application loop (client requests)"
	run valgrind --tool=callgrind --collect-atstart=no --log-file="$TMP/vg.log" \
		--callgrind-out-file="$TMP/cg" "$O/bench/ring_bench" --callgrind "$TMP/cg" | tee "$OUT/ring_cg.txt" ||
		{ cat "$TMP/vg.log"; return 1; }
}

lab_up() {
	ip netns add "$NSA" && ip netns add "$NSB" || return 1
	for ns in "$NSA" "$NSB"; do
		ip -n "$ns" link set lo up &&
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 ||
		return 1
	done
	ip link add va netns "$NSA" address 02:00:00:00:00:01 type veth \
		peer name vb netns "$NSB" address 02:00:00:00:00:02 &&
	ip -n "$NSA" addr add 198.18.0.1/24 dev va &&
	ip -n "$NSA" link set va up &&
	ip -n "$NSB" link set vb up
}

txrate() {
	echo
	echo "== 2. TX rate on veth: xdpsock vs AF_PACKET, 64-byte UDP frames, batch 64 =="
	if [ "$(id -u)" != 0 ]; then
		echo "   skipped: needs root (namespaces, veth, AF_XDP)"
		return 0
	fi
	echo "   namespaces $NSA (va 198.18.0.1/24) <=> $NSB (vb, no address: IPv4 has no route"
	echo "   for 198.18.0.2 there and forwarding is off, so the peer drops in ip_rcv)"
	lab_up || { echo "bench: cannot build the namespaces" >&2; return 1; }
	run ip netns exec "$NSA" taskset -c "$CPU" "$O/bench/tx_rate" --dev va --peer-ns "$NSB" --peer-dev vb \
		--secs "$SECS" --reps "$REPS" | tee "$OUT/tx_rate.txt" || return 1
	echo
	echo "   where the peer dropped them (nstat in $NSB, counters since the namespace was made):"
	ip netns exec "$NSB" nstat -asz 2>/dev/null | grep -E '^Ip(InReceives|InAddrErrors|InNoRoutes|InDiscards|InHdrErrors) ' |
		sed 's/^/   /'
}

fwd() {
	echo
	echo "== 3. forwarding: tests/bench/fwd.sh =="
	"$ROOT/tests/bench/fwd.sh" "$O"
}

tun() {
	echo
	echo "== 4. TUN/TAP: tests/bench/tun.sh (xdpbridge tun vs an AF_PACKET<->TUN loop vs kernel forwarding) =="
	"$ROOT/tests/bench/tun.sh" "$O"
}

main() {
	local rc=0

	echo "xdpsock benchmarks ($O)"
	machine | tee "$OUT/machine.txt"
	ring || rc=1
	txrate || rc=1
	fwd || rc=1
	[ -n "${BENCH_NO_TUN:-}" ] || tun || rc=1
	echo
	echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
	return $rc
}

main 2>&1 | tee "$OUT/results.txt"
rc=${PIPESTATUS[0]}
echo "results: $OUT/results.txt"
echo
python3 "$ROOT/tests/bench/report.py" "$OUT" "$ROOT/bench" || rc=1
exit "$rc"
