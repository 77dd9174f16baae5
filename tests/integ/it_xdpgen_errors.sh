#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# xdpgen's errors (root): each bad input gives its exit status (2 usage, 1 runtime failure) and
# a message with the words that name the cause.  Checked inside a namespace of our own with a
# veth pair whose MTU is 1400, so that "the MTU" can only come from the interface:
#
#   ns A: va 198.18.0.1/24 (MTU 1400)  <==veth==>  vb 198.18.0.2/24 :ns B
#
# Also: --help of every subcommand exits 0 with its usage line; no command, an unknown command,
# an interface that does not exist (for each subcommand), a name too long to be one, zero and
# absurd rates, sizes below 60, above the MTU, too small for IPv6, no destination MAC and no
# neighbour, a queue the interface does not have, --xdp-count on an interface that already has
# someone's XDP program (exit 1, the program named), a sender on an interface that is down (exit 1).
# The options the user has, never the library's fields: --zerocopy on a veth, --native on a
# macvlan (no native XDP), a queue another socket holds, --count and --expect above the limit.
#
# Hostile input: the interface is deleted under a running rx, rx --expect, rx --xdp-count,
# reflect and tx: each exits 1 within a few seconds, naming it.  Stale programs: rx --xdp-count killed
# with SIGKILL leaves nothing attached (a BPF link); an xdpgen_count attached through netlink by
# a process that is gone (as an older xdpgen left it; made here by 'ip link ... xdp obj') is
# removed with a warning by the next rx --xdp-count, rx and reflect, which then work, and nothing
# is left at their exit; one held by a running rx --xdp-count is refused, named, and left alone.
#
# Namespaces xst<run>-<pid>-{a,b}, removed on exit (trap).  Exit 0 pass, 1 fail, 77 skip.  ~10 s.
set -u
. "$(dirname "$0")/lib.sh"
G=$BUILD/bin/xdpgen
A=$PFX-a
B=$PFX-b

need_root "network namespaces, veth, XDP"
[ -x "$G" ] || { echo "FAIL it_xdpgen_errors: no $G ('make' builds it)"; exit 1; }
register_ns "$A" "$B"
make_tmp

# expect NS STATUS WORDS -- ARGS...: xdpgen ARGS in NS exits STATUS and says WORDS (stderr or stdout).
expect() {
	local ns=$1 want=$2 words=$3 rc
	shift 4
	ip netns exec "$ns" timeout 20 "$G" "$@" > "$TMP/out" 2>&1
	rc=$?
	if [ "$rc" = "$want" ] && grep -qF -- "$words" "$TMP/out"; then
		ok "xdpgen $* -> exit $rc, '$words'"
	else
		fail "xdpgen $* -> exit $rc (want $want), output:"
		sed 's/^/  | /' "$TMP/out"
		echo "  want the words: $words"
	fi
}

lab_up() {
	ip netns add "$A" && ip netns add "$B" &&
		ip link add va netns "$A" mtu 1400 address 02:00:00:00:00:01 type veth peer name vb netns "$B" \
			address 02:00:00:00:00:02 &&
		ip -n "$A" addr add 198.18.0.1/24 dev va && ip -n "$B" addr add 198.18.0.2/24 dev vb &&
		ip -n "$A" link set va up && ip -n "$B" link set vb up &&
		ip -n "$A" neigh replace 198.18.0.2 lladdr 02:00:00:00:00:02 dev va nud permanent
}
if ! lab_up; then
	echo "FAIL: cannot build the topology"
	exit 1
fi

V4=(--src-ip 198.18.0.1 --dst-ip 198.18.0.2)

# Help and commands.
for cmd in tx rx ping reflect; do
	expect "$A" 0 "usage: xdpgen $cmd" -- "$cmd" --help
	expect "$A" 0 "usage: xdpgen $cmd" -- help "$cmd"
done
expect "$A" 0 "usage: xdpgen COMMAND" -- --help
expect "$A" 2 "usage: xdpgen COMMAND" --
expect "$A" 2 "no command 'blast': tx, rx, ping or reflect" -- blast va

# Interfaces.
expect "$A" 2 "no interface 'nosuch0' in this network namespace" -- tx nosuch0 "${V4[@]}"
expect "$A" 2 "no interface 'nosuch0' in this network namespace" -- rx nosuch0
expect "$A" 2 "no interface 'nosuch0' in this network namespace" -- rx nosuch0 --xdp-count
expect "$A" 2 "no interface 'nosuch0' in this network namespace" -- ping nosuch0 "${V4[@]}"
expect "$A" 2 "no interface 'nosuch0' in this network namespace" -- reflect nosuch0
expect "$A" 2 "no interface 'vb' in this network namespace" -- tx vb "${V4[@]}" --engine live
expect "$A" 2 "'averyveryverylongname' cannot be an interface name: 1 to 15 characters" -- rx averyveryverylongname
expect "$A" 2 "tx needs an interface name (IFNAME)" -- tx "${V4[@]}"

# Rates.
expect "$A" 2 "--rate 0: a rate must be at least 1 frame per second" -- tx va "${V4[@]}" --rate 0
expect "$A" 2 "--rate 0: a rate must be at least 1 frame per second" -- ping va "${V4[@]}" --rate 0
expect "$A" 2 "--rate 1e12: absurd rate: more than 200000000 frames per second" -- tx va "${V4[@]}" --rate 1e12
expect "$A" 2 "--rate 500M: absurd rate" -- tx va "${V4[@]}" --rate 500M --engine live
expect "$A" 2 "--rate '-3': not a number" -- tx va "${V4[@]}" --rate -3

# Sizes: the minimum, the interface's MTU (1400 here), IPv6's minimum.
expect "$A" 2 "--size 59: 59 bytes is below 60, the smallest Ethernet frame" -- tx va "${V4[@]}" --size 59
expect "$A" 2 "--size 1415 is above the MTU of va: at most 1414 bytes (MTU 1400 + 14-byte Ethernet header)" -- tx va "${V4[@]}" --size 1415
expect "$A" 2 "--size 1500 is above the MTU of va: at most 1414 bytes (MTU 1400" -- tx va "${V4[@]}" --size 64,1500 --engine live
expect "$A" 2 "--size 9000 is above the MTU of va" -- ping va "${V4[@]}" --size 9000
expect "$A" 2 "--size 1514 is above the MTU of va" -- tx va "${V4[@]}" --size imix
expect "$A" 2 "--size 64: too small for UDP/IPv6: at least 78 bytes" -- tx va --src-ip 2001:2::1 --dst-ip 2001:2::2 --size 64

# Addresses and queues.
expect "$A" 2 "no --dst-mac, and the neighbour table has no entry for 198.18.0.9 on va" -- tx va --src-ip 198.18.0.1 --dst-ip 198.18.0.9
expect "$A" 2 "no --dst-mac, and the neighbour table has no entry for 2001:2::2 on va" -- ping va --src-ip 2001:2::1 --dst-ip 2001:2::2
expect "$A" 2 "--src-ip is IPv4 but --dst-ip is IPv6" -- tx va --src-ip 198.18.0.1 --dst-ip 2001:2::2
expect "$A" 2 "tx needs --src-ip and --dst-ip" -- tx va
expect "$A" 2 "queue 3 is out of range: va has 1 queue" -- tx va "${V4[@]}" --queue 3 -c 1
expect "$A" 2 "queue 1 is out of range: va has 1 queue (0..0)" -- tx va "${V4[@]}" --queue 1 -c 1 --engine live
expect "$B" 2 "queue 2 is out of range: vb has 1 queue" -- rx vb --queue 2 -d 1
expect "$A" 2 "tx takes no --expect" -- tx va "${V4[@]}" --expect 5

# Someone else's XDP program on vb (the library's, held by a running 'xdpgen rx'): --xdp-count must not take over.
ip netns exec "$B" "$G" rx vb -d 20 > "$TMP/holder" 2>&1 &
PIDS+=("$!")
for ((i = 0; i < 100; i++)); do grep -qs listening "$TMP/holder" && break; sleep 0.05; done
expect "$B" 1 "vb already has XDP program 'xdpsock_redir'" -- rx vb --xdp-count -d 1
kill -INT "${PIDS[0]}"
wait "${PIDS[0]}"

# The library's words become xdpgen's: options, not fields; no advice to remove what others attached.
expect "$B" 1 "--zerocopy: the driver of vb (veth) cannot do zero-copy AF_XDP: leave out --zerocopy (or use --copy)" -- rx vb --zerocopy -d 1
expect "$A" 1 "--zerocopy: the driver of va (veth) cannot do zero-copy AF_XDP: leave out --zerocopy" -- tx va "${V4[@]}" --zerocopy -c 1
ip -n "$B" link add mv0 link vb type macvlan mode bridge && ip -n "$B" link set dev mv0 up || fail "cannot add macvlan mv0"
expect "$B" 1 "--native: the driver of mv0 (macvlan) has no native XDP: use --generic, or neither" -- rx mv0 --native -d 1
expect "$B" 1 "--native: the driver of mv0 (macvlan) has no native XDP: use --generic, or neither" -- rx mv0 --native --xdp-count -d 1
expect "$B" 1 "--native: the driver of mv0 (macvlan) has no native XDP" -- reflect mv0 --native -d 1
ip -n "$B" link del mv0
rm -f "$TMP/holder"
ip netns exec "$B" "$G" rx vb -d 20 > "$TMP/holder" 2>&1 &
HOLDER=$!
PIDS+=("$HOLDER")
for ((i = 0; i < 100; i++)); do grep -qs listening "$TMP/holder" && break; sleep 0.05; done
expect "$B" 1 "queue 0 of vb is already bound by another AF_XDP socket: use another --queue" -- rx vb -d 1
expect "$B" 1 "queue 0 of vb is already bound by another AF_XDP socket: use another --queue" -- reflect vb -d 1
kill -INT "$HOLDER"
wait "$HOLDER"
for opt in "tx va ${V4[*]} --count" "rx vb --count" "rx vb --expect" "ping va ${V4[*]} --count" "reflect vb --count"; do
	# shellcheck disable=SC2086
	expect "$A" 2 "out of range: 1 to 1000000000000" -- $opt 2e12
	# shellcheck disable=SC2086
	expect "$A" 2 "out of range: 1 to 1000000000000" -- $opt 1e19
done

# The interface deleted under a receiver: exit 1 within a few seconds, naming it (not "0 pps"
# until the hour is up, nor frames "lost" without a word of why).
gone() {	# ready-words, xdpgen args (the interface: g0)...
	local ready=$1 pid rc ms t0 i
	shift
	ip link add g0 netns "$B" type veth peer name g1 netns "$B" && ip -n "$B" link set dev g0 up &&
		ip -n "$B" link set dev g1 up || { fail "cannot add g0"; return; }
	rm -f "$TMP/gone"	# the ready words of the previous run must not count
	ip netns exec "$B" "$G" "$@" > "$TMP/gone" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	for ((i = 0; i < 100; i++)); do grep -qs "$ready" "$TMP/gone" && break; sleep 0.05; done
	t0=$(date +%s%N)
	ip -n "$B" link del g0
	for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ "$rc" = 1 ] && [ "$ms" -lt 5000 ] &&
		grep -qF "xdpgen ${1}: g0 is gone (deleted, or moved to another network namespace)" "$TMP/gone"; then
		ok "xdpgen $* -> g0 deleted: exit $rc after $ms ms, 'g0 is gone'"
	else
		fail "xdpgen $* -> g0 deleted: exit $rc (want 1) after $ms ms (want < 5000), output:"
		sed 's/^/  | /' "$TMP/gone"
	fi
	ip -n "$B" link del g1 2>/dev/null
}
gone listening rx g0 --count 5
gone listening rx g0 --expect 100
gone listening rx g0 --xdp-count --expect 100
gone listening rx g0 --queue all
gone reflecting reflect g0
gone engine tx g0 "${V4[@]}" --dst-mac 02:00:00:00:00:02 -r 10k -d 20

# Stale programs.  no_xdp NS IF: nothing attached; xdp_off NS IF: after a failure, so the next check starts clean.
no_xdp() { ! ip -n "$1" -d link show dev "$2" | grep -q 'prog/xdp'; }
xdp_off() { ip -n "$1" link set dev "$2" xdpgeneric off 2>/dev/null; ip -n "$1" link set dev "$2" xdpdrv off 2>/dev/null; }
# xdpgen_count attached through netlink by a process that is gone: what a killed xdpgen left before BPF links.
plant_stale() {
	ip -n "$B" link set dev vb xdpgeneric obj "$BUILD/bpf/xdpgen_count.bpf.o" sec xdp &&
		ip -n "$B" -d link show dev vb | grep -q 'name xdpgen_count'
}
# rx --xdp-count killed with SIGKILL: the kernel detaches it with its link.
ip netns exec "$B" "$G" rx vb --xdp-count -d 20 > "$TMP/killed" 2>&1 &
KP=$!
PIDS+=("$KP")
for ((i = 0; i < 100; i++)); do grep -qs listening "$TMP/killed" && break; sleep 0.05; done
if ip -n "$B" -d link show dev vb | grep -q 'name xdpgen_count'; then
	# And while it runs, it is not stale: refused, named, left alone.
	expect "$B" 1 "vb already has XDP program 'xdpgen_count' (id " -- rx vb --xdp-count -d 1
	expect "$B" 1 "attached, by another 'xdpgen rx --xdp-count': xdpgen rx needs the XDP hook of vb, and takes it from no one" -- rx vb -d 1
	ip -n "$B" -d link show dev vb | grep -q 'name xdpgen_count' && ok "a running --xdp-count keeps its program" ||
		fail "a running --xdp-count lost its program to another run"
else
	fail "rx --xdp-count: no xdpgen_count on vb while it runs"
fi
kill -KILL "$KP"
wait "$KP" 2>/dev/null
for ((i = 0; i < 20; i++)); do no_xdp "$B" vb && break; sleep 0.05; done
no_xdp "$B" vb && ok "rx --xdp-count killed with SIGKILL: nothing left on vb" ||
	{ fail "rx --xdp-count killed with SIGKILL left:"; ip -n "$B" -d link show dev vb | grep prog/xdp; xdp_off "$B" vb; }
# A stale one: each receiver removes it, says so, works, and leaves nothing.
STALE="warning: removed a stale xdpgen_count program (id"
for what in "rx --xdp-count" "rx" "reflect"; do
	if ! plant_stale; then
		fail "cannot attach a stale xdpgen_count to vb with ip"
		continue
	fi
	case $what in
	"rx --xdp-count") args=(rx vb --xdp-count --expect 200 -d 10); ready=listening ;;
	rx) args=(rx vb --expect 200 -d 10); ready=listening ;;
	reflect) args=(reflect vb --count 200 -d 10); ready=reflecting ;;
	esac
	rm -f "$TMP/stale"
	ip netns exec "$B" "$G" "${args[@]}" > "$TMP/stale" 2>&1 &
	SP=$!
	PIDS+=("$SP")
	for ((i = 0; i < 100; i++)); do grep -qs "$ready" "$TMP/stale" && break; sleep 0.05; done
	ip netns exec "$A" timeout 20 "$G" tx va "${V4[@]}" --engine xsk -c 200 -r 20k --quiet > "$TMP/stale.tx" 2>&1
	wait "$SP"
	RC=$?
	if [ "$RC" = 0 ] && grep -qF "xdpgen ${what%% *}: $STALE" "$TMP/stale" && no_xdp "$B" vb; then
		ok "stale xdpgen_count, then $what: the warning, exit 0 with 200 frames, nothing left on vb"
	else
		fail "stale xdpgen_count, then $what: exit $RC (want 0), output:"
		sed 's/^/  | /' "$TMP/stale" "$TMP/stale.tx"
		ip -n "$B" -d link show dev vb | grep prog/xdp
		xdp_off "$B" vb
	fi
done

# A sender on an interface that is down.
ip -n "$A" link set va down
expect "$A" 1 "va is down: bring it up first (ip link set dev va up)" -- tx va "${V4[@]}" --dst-mac 02:00:00:00:00:02 -c 1
expect "$A" 1 "va is down" -- tx va "${V4[@]}" --dst-mac 02:00:00:00:00:02 -c 1 --engine live

finish
