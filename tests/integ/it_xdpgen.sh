#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# xdpgen end to end (root): traffic across a veth pair between two namespaces.
#
#   ns A: va 198.18.0.1/24 2001:2::1/64  <==veth==>  vb 198.18.0.2/24 2001:2::2/64 :ns B
#
#   0. live frames: a probe of our own (python, the bpf syscall: an XDP_DROP program run once with
#      BPF_F_TEST_XDP_LIVE_FRAMES, nothing sent) asks the kernel.  Where it refuses (this
#      project's 6.18 build: EPERM), the log says "KERNEL-REFUSED live frames: <answer>" and the
#      fallback is checked instead: --engine live exits 1 naming the refusal and --engine xsk;
#      --engine auto (and no --engine) runs the xsk engine and says so with the kernel's answer;
#      every "live" run below is then an auto run that must have used xsk.  Where the kernel
#      allows live frames, auto uses them and the live runs run as they are;
#   1. xdpgen tx -> xdpgen rx --expect, IPv4 and IPv6 (the destination MAC from the neighbour
#      table), one size, a mix and imix, several flows: both engines (xsk, live); every frame
#      arrives intact (checksums, lengths, pattern), once, in order;
#   2. the kernel checks the checksums too: rx --xdp-count --pass hands the frames to the IPv4 and
#      IPv6 stacks, whose UDP counts them as "no port" (UdpNoPorts, Udp6NoPorts), never as a
#      checksum error (UdpInCsumErrors, Udp6InCsumErrors);
#   3. xdpgen ping -> xdpgen reflect, IPv4 and IPv6: no loss, percentiles > 0 and ordered;
#   4. one second at full speed per engine, counted at the receiver by --xdp-count (the rates
#      go to the log);
#   5. SIGINT/SIGTERM: rx, tx xsk and tx live stop at once with their summary, exit 0, and leave
#      no XDP program behind; --expect not met and ping without a reflector exit 1.
#
# Namespaces xst<run>-<pid>-{a,b}; everything is removed on exit (trap), also on failure.
# Exit 0 pass, 1 fail, 77 skip (not root).  About 35 s (longer under ASan).
set -u
. "$(dirname "$0")/lib.sh"
G=$BUILD/bin/xdpgen
A=$PFX-a
B=$PFX-b
MAC_A=02:00:00:00:00:01
MAC_B=02:00:00:00:00:02

need_root "network namespaces, veth, XDP, AF_XDP"
need_tools ip python3 nstat timeout
[ -x "$G" ] || { echo "FAIL it_xdpgen: no $G ('make' builds it)"; exit 1; }
register_ns "$A" "$B"
make_tmp

# Two CPUs or more: the sender on one, the receiver on another (the live engine spins its CPU
# when it paces, and the peer's NAPI runs on the sender's CPU).
if [ "$(nproc)" -ge 2 ]; then TX_CPU=(taskset -c 0); RX_CPU=(taskset -c 1); else TX_CPU=(); RX_CPU=(); fi
# In the foreground, with a time limit.  Background runs are started as `ip netns exec NS $RX_CPU
# $G ... &` instead: ip and taskset exec, so $! is xdpgen itself and a kill reaches it (a function
# or `timeout` in between would be a shell that ignores SIGINT in the background).
nsa() { ip netns exec "$A" timeout 60 "${TX_CPU[@]}" "$G" "$@"; }
nsb() { ip netns exec "$B" timeout 60 "${RX_CPU[@]}" "$G" "$@"; }

lab_up() {
	local ns
	ip netns add "$A" && ip netns add "$B" || return 1
	for ns in "$A" "$B"; do
		ip -n "$ns" link set lo up || return 1
		# No router solicitations or RAs: the receivers should see little else than our frames.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.accept_ra=0 || return 1
	done
	ip link add va netns "$A" address $MAC_A type veth peer name vb netns "$B" address $MAC_B || return 1
	ip -n "$A" link set va addrgenmode none && ip -n "$B" link set vb addrgenmode none || return 1
	ip -n "$A" addr add 198.18.0.1/24 dev va && ip -n "$B" addr add 198.18.0.2/24 dev vb || return 1
	ip -n "$A" addr add 2001:2::1/64 dev va nodad && ip -n "$B" addr add 2001:2::2/64 dev vb nodad || return 1
	ip -n "$A" link set va up && ip -n "$B" link set vb up || return 1
	# Static neighbours: xdpgen finds the destination MAC there (no --dst-mac below).
	ip -n "$A" neigh replace 198.18.0.2 lladdr $MAC_B dev va nud permanent || return 1
	ip -n "$A" neigh replace 2001:2::2 lladdr $MAC_B dev va nud permanent || return 1
	ip -n "$B" neigh replace 198.18.0.1 lladdr $MAC_A dev vb nud permanent || return 1
	ip -n "$B" neigh replace 2001:2::1 lladdr $MAC_A dev vb nud permanent || return 1
}

# Does the kernel run live frames on IFNAME in NS?  Asked without xdpgen, so that xdpgen's own
# probe is checked against it: prints "allowed", or the kernel's answer (strerror) to the run,
# or "cannot load an XDP program (<answer>)".
live_probe() {	# ns ifname
	ip netns exec "$1" python3 - "$2" <<'PY'
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
nr = {"x86_64": 321, "aarch64": 280, "riscv64": 280}.get(os.uname().machine)
if nr is None:
    print("cannot ask: unknown bpf syscall number on " + os.uname().machine); sys.exit(0)
def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)        # union bpf_attr, zero-padded
    r = libc.syscall(nr, cmd, buf, 128)
    return r, ctypes.get_errno()
BPF_PROG_LOAD, BPF_PROG_TEST_RUN, BPF_PROG_TYPE_XDP, XDP_DROP, LIVE = 5, 10, 6, 1, 1 << 1
insns = ctypes.create_string_buffer(struct.pack("<BBhi", 0xb7, 0, 0, XDP_DROP) +   # r0 = XDP_DROP
                                    struct.pack("<BBhi", 0x95, 0, 0, 0), 16)         # exit
lic = ctypes.create_string_buffer(b"GPL")
fd, e = bpf(BPF_PROG_LOAD, struct.pack("<IIQQIIQII16s", BPF_PROG_TYPE_XDP, 2, ctypes.addressof(insns),
                                       ctypes.addressof(lic), 0, 0, 0, 0, 0, b"it_probe"))
if fd < 0:
    print("cannot load an XDP program (%s)" % os.strerror(e)); sys.exit(0)
ifindex = int(open("/sys/class/net/%s/ifindex" % sys.argv[1]).read())
data = ctypes.create_string_buffer(64)
ctx = ctypes.create_string_buffer(struct.pack("<6I", 0, 64, 0, ifindex, 0, 0), 24)   # struct xdp_md
# prog_fd, retval, data_size_in/out, data_in/out, repeat, duration, ctx_size_in/out, ctx_in/out, flags, cpu, batch
r, e = bpf(BPF_PROG_TEST_RUN, struct.pack("<IIIIQQIIIIQQIII", fd, 0, 64, 0, ctypes.addressof(data), 0, 1, 0,
                                          24, 0, ctypes.addressof(ctx), 0, LIVE, 0, 0))
os.close(fd)
print("allowed" if r == 0 else os.strerror(e))
PY
}

no_xdp_on() {	# ns ifname
	! ip -n "$1" -d link show dev "$2" | grep -q 'prog/xdp'
}

# tx -> rx with --expect: NAME, COUNT, then tx options.  rx's and tx's JSON in $TMP/NAME.{rx,tx}.
stream() {
	local name=$1 count=$2 rc_rx rc_tx
	shift 2
	ip netns exec "$B" "${RX_CPU[@]}" "$G" rx vb --expect "$count" -d 15 --idle 300 --json > "$TMP/$name.rx" 2> "$TMP/$name.rx.err" &
	local rxpid=$!
	PIDS+=("$rxpid")
	if ! wait_for "$TMP/$name.rx.err" 'listening' 10; then
		fail "$name: the receiver did not start"
		sed 's/^/  | /' "$TMP/$name.rx.err"
		return
	fi
	nsa tx va -c "$count" --json --quiet "$@" > "$TMP/$name.tx" 2> "$TMP/$name.tx.err"
	rc_tx=$?
	wait "$rxpid"
	rc_rx=$?
	echo "  tx: $(cat "$TMP/$name.tx")"
	echo "  rx: $(cat "$TMP/$name.rx")"
	[ -s "$TMP/$name.tx.err" ] && sed 's/^/  tx stderr | /' "$TMP/$name.tx.err"
	[ "$rc_tx" = 0 ] && [ "$(jget "$TMP/$name.tx" sent)" = "$count" ]
	verdict $? "$name: tx exit 0 (got $rc_tx), sent $(jget "$TMP/$name.tx" sent) of $count"
	[ "$rc_rx" = 0 ] && [ "$(jget "$TMP/$name.rx" unique)" = "$count" ] && [ "$(jget "$TMP/$name.rx" lost)" = 0 ] &&
		[ "$(jget "$TMP/$name.rx" duplicates)" = 0 ] && [ "$(jget "$TMP/$name.rx" reordered)" = 0 ] &&
		[ "$(jget "$TMP/$name.rx" corrupted)" = 0 ]
	verdict $? "$name: rx exit 0 (got $rc_rx): $count distinct, lost 0, duplicates 0, reordered 0, corrupted 0"
}

# The UDP counters of ns B, absolute (nstat -a -s -z: no history file, which is shared between namespaces).
udp_counters() { ip netns exec "$B" nstat -asz 2>/dev/null | awk '$1 ~ /^Udp6?(NoPorts|InCsumErrors)$/ {print $1 "=" $2}'; }
counter() { echo "$1" | awk -F= -v k="$2" '$1 == k {v = $2} END {print v + 0}'; }

# Frames to the kernel's UDP: rx --xdp-count --pass, then nstat's counters.  NAME, COUNT, NOPORTS, CSUMERR, tx options.
kernel_udp() {
	local name=$1 count=$2 noports=$3 csumerr=$4 rc_tx rc_rx
	shift 4
	local before
	before=$(udp_counters)
	ip netns exec "$B" "${RX_CPU[@]}" "$G" rx vb --xdp-count --pass --expect "$count" -d 15 --idle 300 --json > "$TMP/$name.rx" 2> "$TMP/$name.rx.err" &
	local rxpid=$!
	PIDS+=("$rxpid")
	if ! wait_for "$TMP/$name.rx.err" 'listening' 10; then
		fail "$name: the receiver did not start"
		sed 's/^/  | /' "$TMP/$name.rx.err"
		return
	fi
	nsa tx va -c "$count" -r 20k --json --quiet "$@" > "$TMP/$name.tx" 2> "$TMP/$name.tx.err"
	rc_tx=$?
	wait "$rxpid"
	rc_rx=$?
	local after got_noports got_csum
	after=$(udp_counters)
	got_noports=$(( $(counter "$after" "$noports") - $(counter "$before" "$noports") ))
	got_csum=$(( $(counter "$after" "$csumerr") - $(counter "$before" "$csumerr") ))
	[ "$rc_tx" = 0 ] && [ "$rc_rx" = 0 ] && [ "${got_noports:-0}" = "$count" ] && [ "${got_csum:-0}" = 0 ]
	verdict $? "$name: tx exit $rc_tx, rx --xdp-count exit $rc_rx, the kernel's $noports ${got_noports:-0} of $count, $csumerr ${got_csum:-0}"
}

say "topology: $A (va) <-> $B (vb)"
lab_up || { echo "FAIL: cannot build the topology"; exit 1; }

say "0. live frames: what the kernel answers, and what xdpgen makes of it"
LIVE_ANSWER=$(live_probe "$A" va)
FALLBACK="live frames (BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES) refused by this kernel ($LIVE_ANSWER)"
if [ "$LIVE_ANSWER" = allowed ]; then
	echo "  the kernel runs live frames: the live engine is tested as such"
	LIVE=(--engine live)	# how the "live" runs below ask for it
	LIVE_USED=live		# the engine they must report
else
	kernel_refused "live frames" "$LIVE_ANSWER"
	LIVE=()			# no --engine: auto, which must fall back
	LIVE_USED=xsk
	nsa tx va --engine live --src-ip 198.18.0.1 --dst-ip 198.18.0.2 -c 10 > "$TMP/live-refused.out" 2>&1
	RC=$?
	[ "$RC" = 1 ] && grep -qF "xdpgen tx: $FALLBACK: use --engine xsk" "$TMP/live-refused.out" &&
		! grep -q 'sent' "$TMP/live-refused.out"
	verdict $? "--engine live on a refusing kernel: exit 1 (got $RC), the refusal and --engine xsk named, nothing sent"
	sed 's/^/  | /' "$TMP/live-refused.out"
fi
# auto, said and unsaid: the engine the kernel allows, the fallback said on stderr in one line.
for how in "--engine auto" ""; do
	# shellcheck disable=SC2086
	nsa tx va $how --src-ip 198.18.0.1 --dst-ip 198.18.0.2 -c 100 --json --quiet > "$TMP/auto.tx" 2> "$TMP/auto.err"
	RC=$?
	if [ "$LIVE_USED" = xsk ]; then
		[ "$RC" = 0 ] && [ "$(jget "$TMP/auto.tx" engine)" = xsk ] && [ "$(jget "$TMP/auto.tx" sent)" = 100 ] &&
			[ "$(wc -l < "$TMP/auto.err")" = 1 ] && grep -qxF "xdpgen tx: $FALLBACK: using the xsk engine" "$TMP/auto.err"
	else
		[ "$RC" = 0 ] && [ "$(jget "$TMP/auto.tx" engine)" = live ] && [ "$(jget "$TMP/auto.tx" sent)" = 100 ] &&
			! grep -q 'using the xsk engine' "$TMP/auto.err"
	fi
	verdict $? "tx ${how:-(no --engine)}: exit 0 (got $RC), 100 sent by the $LIVE_USED engine (JSON: $(jget "$TMP/auto.tx" engine))"
	sed 's/^/  | /' "$TMP/auto.err"
done

# After a "live" stream: the engine the JSON names, and the fallback line where the kernel refused.
live_used() {	# name
	local n=$1
	[ "$(jget "$TMP/$n.tx" engine)" = "$LIVE_USED" ] &&
		{ [ "$LIVE_USED" = live ] || grep -qF "$FALLBACK: using the xsk engine" "$TMP/$n.tx.err"; }
	verdict $? "$n: ran the $LIVE_USED engine (JSON: $(jget "$TMP/$n.tx" engine))"
}

say "1. tx -> rx, every frame checked"
stream xsk4 20000 --src-ip 198.18.0.1 --dst-ip 198.18.0.2 -r 50k
stream live4 20000 "${LIVE[@]}" --src-ip 198.18.0.1 --dst-ip 198.18.0.2 -r 50k
live_used live4
stream xsk6 10000 --src-ip 2001:2::1 --dst-ip 2001:2::2 -r 50k --size imix --flows 4
stream live6 10000 "${LIVE[@]}" --src-ip 2001:2::1 --dst-ip 2001:2::2 -r 50k --size 78,1000,1514 --flows 3
live_used live6
stream xsk4mix 10000 --src-ip 198.18.0.1 --dst-ip 198.18.0.2 -r 50k --size 60,61,333,1514 --batch 7

say "2. the kernel's UDP checks the checksums"
kernel_udp kernel-xsk4 2000 UdpNoPorts UdpInCsumErrors --src-ip 198.18.0.1 --dst-ip 198.18.0.2 --size 60,61,1513,1514,700
kernel_udp kernel-live4 2000 UdpNoPorts UdpInCsumErrors "${LIVE[@]}" --src-ip 198.18.0.1 --dst-ip 198.18.0.2 --size imix
kernel_udp kernel-xsk6 2000 Udp6NoPorts Udp6InCsumErrors --src-ip 2001:2::1 --dst-ip 2001:2::2 --size 78,79,1514
kernel_udp kernel-live6 2000 Udp6NoPorts Udp6InCsumErrors "${LIVE[@]}" --src-ip 2001:2::1 --dst-ip 2001:2::2 --size imix --flows 5

say "3. ping -> reflect"
ip netns exec "$B" "${RX_CPU[@]}" "$G" reflect vb -d 15 --json > "$TMP/reflect.out" 2> "$TMP/reflect.err" &
REFL=$!
PIDS+=("$REFL")
if wait_for "$TMP/reflect.err" 'reflecting' 10; then
	for fam in 4 6; do
		if [ $fam = 4 ]; then addrs="--src-ip 198.18.0.1 --dst-ip 198.18.0.2"; else addrs="--src-ip 2001:2::1 --dst-ip 2001:2::2 -s 78,512"; fi
		# shellcheck disable=SC2086
		nsa ping va $addrs -c 2000 -r 5000 --json > "$TMP/ping$fam.out" 2> "$TMP/ping$fam.err"
		RC=$?
		echo "  ping IPv$fam: $(cat "$TMP/ping$fam.out")"
		[ "$RC" = 0 ] && [ "$(jget "$TMP/ping$fam.out" received)" = 2000 ] &&
			[ "$(jget "$TMP/ping$fam.out" lost)" = 0 ] && [ "$(jget "$TMP/ping$fam.out" corrupted)" = 0 ] &&
			[ "$(jget "$TMP/ping$fam.out" duplicates)" = 0 ]
		verdict $? "ping IPv$fam: exit 0 (got $RC), 2000 sent, 2000 back intact, none lost, duplicated or corrupted"
		check "ping IPv$fam: percentiles > 0 and ordered: min <= p50 <= p90 <= p99 <= p99.9 <= max" python3 - "$TMP/ping$fam.out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["rtt_us"]
v = [r[k] for k in ("min", "p50", "p90", "p99", "p99.9", "max")]
print("  rtt us: " + "  ".join("%s %.1f" % (k, x) for k, x in zip(("min", "p50", "p90", "p99", "p99.9", "max"), v)))
sys.exit(0 if r["count"] == 2000 and all(x > 0 for x in v) and v == sorted(v) and r["max"] < 1e6 else 1)
PY
	done
else
	fail "xdpgen reflect did not start"
	sed 's/^/  | /' "$TMP/reflect.err"
fi
kill -INT "$REFL" 2>/dev/null
wait "$REFL"
RC=$?
[ "$RC" = 0 ] && [ "$(jget "$TMP/reflect.out" reflected)" -ge 4000 ] 2>/dev/null
verdict $? "reflect: SIGINT -> exit 0 (got $RC) with its summary, reflected $(jget "$TMP/reflect.out" reflected) >= 4000"
check "reflect: no XDP program left on vb" no_xdp_on "$B" vb

say "4. one second at full speed, 64-byte frames, counted at the receiver (--xdp-count)"
for eng in xsk live; do
	if [ $eng = xsk ]; then ENG=(--engine xsk); else ENG=("${LIVE[@]}"); fi
	ip netns exec "$B" "${RX_CPU[@]}" "$G" rx vb --xdp-count -d 10 --idle 300 --expect 1 --json > "$TMP/rate-$eng.rx" 2> "$TMP/rate-$eng.rx.err" &
	RXP=$!
	PIDS+=("$RXP")
	if wait_for "$TMP/rate-$eng.rx.err" 'listening' 10; then
		nsa tx va "${ENG[@]}" --src-ip 198.18.0.1 --dst-ip 198.18.0.2 -d 1 --json --quiet > "$TMP/rate-$eng.tx" 2> "$TMP/rate-$eng.tx.err"
		RC=$?
		wait "$RXP"
		python3 - "$TMP/rate-$eng.tx" "$TMP/rate-$eng.rx" "$eng" <<'PY'
import json, sys
t, r = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
print("  %-4s engine: sent %.3f Mpps; received (xdp-count) %d frames, %.3f Mpps" % (t["engine"], t["pps"] / 1e6, r["ours"], r["pps"] / 1e6))
PY
		[ "$RC" = 0 ] && [ "$(jget "$TMP/rate-$eng.rx" ours)" -gt 0 ] 2>/dev/null
		verdict $? "full speed, $eng: tx exit 0 (got $RC), frames arrived"
		[ $eng = live ] && live_used "rate-$eng"
	else
		fail "rate $eng: the receiver did not start"
	fi
done
check "--xdp-count: no XDP program left on vb" no_xdp_on "$B" vb

say "5. signals and failures"
ip netns exec "$B" "${RX_CPU[@]}" "$G" rx vb -d 30 --json > "$TMP/sig.rx" 2> "$TMP/sig.rx.err" &
RXP=$!
PIDS+=("$RXP")
wait_for "$TMP/sig.rx.err" 'listening' 10 || fail "rx for signals did not start"
for eng in xsk live; do
	if [ $eng = xsk ]; then ENG=(--engine xsk); else ENG=("${LIVE[@]}"); fi
	ip netns exec "$A" "${TX_CPU[@]}" "$G" tx va "${ENG[@]}" --src-ip 198.18.0.1 --dst-ip 198.18.0.2 -r 20k -d 30 \
		--json --quiet > "$TMP/sig-$eng.tx" 2> "$TMP/sig-$eng.tx.err" &
	TXP=$!
	PIDS+=("$TXP")
	sleep 1
	T0=$(date +%s%N)
	kill -TERM "$TXP"
	wait "$TXP"
	RC=$?
	MS=$((($(date +%s%N) - T0) / 1000000))
	[ "$RC" = 0 ] && [ "$MS" -lt 3000 ] && [ "$(jget "$TMP/sig-$eng.tx" reason)" = "terminated (SIGTERM)" ]
	verdict $? "tx $eng: SIGTERM -> exit 0 (got $RC) in ${MS} ms with the summary (reason: $(jget "$TMP/sig-$eng.tx" reason))"
	[ $eng = live ] && live_used "sig-$eng"
done
sleep 0.3
kill -INT "$RXP"
wait "$RXP"
RC=$?
[ "$RC" = 0 ] && [ "$(jget "$TMP/sig.rx" reason)" = "interrupted (SIGINT)" ] &&
	[ "$(jget "$TMP/sig.rx" ours)" -gt 0 ] && [ "$(jget "$TMP/sig.rx" corrupted)" = 0 ]
verdict $? "rx: SIGINT -> exit 0 (got $RC), reason '$(jget "$TMP/sig.rx" reason)', frames of ours $(jget "$TMP/sig.rx" ours), corrupted $(jget "$TMP/sig.rx" corrupted)"
check "rx: no XDP program left on vb" no_xdp_on "$B" vb

nsb rx vb --expect 100 -d 1 > "$TMP/nomet.out" 2>&1
RC=$?
[ "$RC" = 1 ] && grep -q 'NOT met' "$TMP/nomet.out"
verdict $? "rx --expect 100 with no sender: exit 1 (got $RC), 'NOT met'"
nsa ping va --src-ip 198.18.0.1 --dst-ip 198.18.0.2 -c 20 -r 100 -w 200 > "$TMP/noreflect.out" 2>&1
RC=$?
[ "$RC" = 1 ] && grep -q 'lost 20' "$TMP/noreflect.out"
verdict $? "ping with no reflector: exit 1 (got $RC), lost 20"

finish
