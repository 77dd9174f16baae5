#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# tools/demo.sh [BUILD_DIR]  -  the one-command demo of libxdpsock (`make demo`).
#
# Two network namespaces joined by one veth pair, nothing else:
#
#   xsdemo-PID-a: va 198.18.0.1/24  <== veth ==>  vb 198.18.0.2/24 :xsdemo-PID-b
#        xdpsock-ping (AF_XDP pair)                 xdpsock-echo (AF_XDP pair, epoll)
#
# The ping sends numbered UDP frames, the echo returns each one, the ping checks every reply
# byte for byte and measures round trips.  Everything is removed at exit, also on failure
# and on Ctrl-C.  Exit status: 0 every frame came back intact, 1 otherwise.
#
# Environment: DEMO_COUNT (10000), DEMO_RATE (frames/s, 10000), DEMO_SIZE (bytes, 64),
# DEMO_ECHO_ARGS / DEMO_PING_ARGS (extra options, e.g. "--generic").
set -euo pipefail

O=${1:-build}
ECHO_BIN=$O/bin/xdpsock-echo
PING_BIN=$O/bin/xdpsock-ping
COUNT=${DEMO_COUNT:-10000}
RATE=${DEMO_RATE:-10000}
SIZE=${DEMO_SIZE:-64}

NS_A=xsdemo-$$-a
NS_B=xsdemo-$$-b
MAC_A=02:78:73:00:00:01
MAC_B=02:78:73:00:00:02
IP_A=198.18.0.1
IP_B=198.18.0.2

say()  { printf '\n[demo] %s\n' "$*"; }
info() { printf '       %s\n' "$*"; }
indent() { sed 's/^/       | /'; }
die()  { printf 'demo: %s\n' "$*" >&2; exit 1; }
verdict() { VERDICT_DONE=1; printf '\nVERDICT: %s\n' "$*"; }
VERDICT_DONE=

# ---- preconditions: say what is missing and how to get it ---------------------------------
[ "$(id -u)" -eq 0 ] || die "needs root (it creates network namespaces, a veth pair and XDP programs): run 'sudo make demo'"
for b in "$ECHO_BIN" "$PING_BIN"; do
	[ -x "$b" ] || die "$b is missing: build it first with 'make' (or 'make O=$O')"
done
command -v ip > /dev/null || die "the 'ip' command (iproute2) is missing: apt-get install iproute2"
command -v timeout > /dev/null || die "the 'timeout' command (coreutils) is missing"
[[ $COUNT =~ ^[0-9]+$ && $RATE =~ ^[0-9]+$ && $SIZE =~ ^[0-9]+$ ]] || die "DEMO_COUNT, DEMO_RATE and DEMO_SIZE must be numbers"
if [ "$COUNT" -lt 1 ] || [ "$RATE" -lt 1 ]; then die "DEMO_COUNT and DEMO_RATE must be at least 1"; fi
ECHO_LIMIT=$(( COUNT / RATE + 60 ))	# seconds: the echo stops by itself even if this script is killed
PING_LIMIT=$(( COUNT * 2 / RATE + 30 ))	# and the sender is stopped after this, whatever happens

# ---- cleanup: runs on every exit path ------------------------------------------------------
WORK=$(mktemp -d /tmp/xsdemo-$$.XXXXXX)
ECHO_PID=
ECHO_RC=
PING_PID=
PING_RC=
created=()

# Stop a background child: SIGTERM (the programs then print their summary), up to 5 s, then
# SIGKILL.  Sets STOPPED_RC to its exit status.
stop_child() {
	local pid=$1
	kill -TERM "$pid" 2> /dev/null || true
	for _ in $(seq 50); do
		kill -0 "$pid" 2> /dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2> /dev/null || true
	STOPPED_RC=0
	wait "$pid" 2> /dev/null || STOPPED_RC=$?
}

stop_echo() {
	[ -n "$ECHO_PID" ] || return 0
	stop_child "$ECHO_PID"
	ECHO_RC=$STOPPED_RC
	ECHO_PID=
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
	local rc=$? ns out
	trap - EXIT INT TERM
	set +e
	if [ -n "$PING_PID" ]; then
		stop_child "$PING_PID"
		info "the sender stopped (status $STOPPED_RC):"
		indent < "$WORK/ping.log"
	fi
	if [ -n "$ECHO_PID" ]; then
		stop_echo
		out=$(sed '1,/echoing/d' "$WORK/echo.log")
		info "the reflector stopped (status $ECHO_RC)${out:+:}"
		[ -z "$out" ] || indent <<< "$out"
	fi
	# Deleting a namespace deletes its veth end (and the peer with it) and the XDP programs on them.
	for ns in "${created[@]}"; do
		ip netns del "$ns" 2> /dev/null
	done
	rm -rf "$WORK"
	if [ -z "$VERDICT_DONE" ]; then
		if ip netns list | grep -q "^xsdemo-$$-"; then
			verdict "FAIL - the demo stopped before the end (exit status $rc); could not remove all of: ${created[*]}"
		else
			verdict "FAIL - the demo stopped before the end (exit status $rc); everything it created is removed"
		fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'printf "demo: this command failed (line %s): %s\n" "$LINENO" "$BASH_COMMAND" >&2' ERR
trap 'printf "\n[demo] interrupted\n"; exit 130' INT
trap 'printf "\n[demo] terminated\n"; exit 143' TERM

# ---- 1. the topology -----------------------------------------------------------------------
say "1. Building the lab: namespaces $NS_A and $NS_B joined by one veth pair"
for ns in "$NS_A" "$NS_B"; do
	ip netns add "$ns"
	created+=("$ns")
	ip -n "$ns" link set lo up
	# No IPv6: its multicast chatter would only be noise on the sockets' queue.
	# (Through /proc, not sysctl(8): procps may be absent; and IPv6 may be compiled out.)
	# shellcheck disable=SC2016  # $f belongs to the inner shell
	ip netns exec "$ns" sh -c 'for f in /proc/sys/net/ipv6/conf/all/disable_ipv6 \
		/proc/sys/net/ipv6/conf/default/disable_ipv6; do [ -w "$f" ] && echo 1 > "$f"; done; true'
done
# Created directly inside the namespaces: the root namespace never sees these links.
ip link add va netns "$NS_A" address "$MAC_A" type veth peer name vb netns "$NS_B" address "$MAC_B"
ip -n "$NS_A" addr add "$IP_A/24" dev va
ip -n "$NS_B" addr add "$IP_B/24" dev vb
ip -n "$NS_A" link set va up
ip -n "$NS_B" link set vb up
ip -n "$NS_A" neigh replace "$IP_B" lladdr "$MAC_B" dev va nud permanent
ip -n "$NS_B" neigh replace "$IP_A" lladdr "$MAC_A" dev vb nud permanent
info "$NS_A: va $IP_A/24 ($MAC_A), static neighbour $IP_B -> $MAC_B"
info "$NS_B: vb $IP_B/24 ($MAC_B), static neighbour $IP_A -> $MAC_A"

# ---- 2. the reflector ----------------------------------------------------------------------
say "2. Starting the reflector: xdpsock-echo on vb in $NS_B (in the background, at most ${ECHO_LIMIT} s)"
# shellcheck disable=SC2086  # DEMO_ECHO_ARGS is a list of options
ip netns exec "$NS_B" "$ECHO_BIN" --duration "$ECHO_LIMIT" ${DEMO_ECHO_ARGS:-} vb > "$WORK/echo.log" 2>&1 &
ECHO_PID=$!			# ip netns exec execs the program: this is the echo's own pid
ready=
for _ in $(seq 100); do		# up to 10 s to open the socket and attach XDP
	if grep -q 'echoing' "$WORK/echo.log"; then ready=1; break; fi
	kill -0 "$ECHO_PID" 2> /dev/null || break
	sleep 0.1
done
if [ -z "$ready" ]; then
	indent < "$WORK/echo.log"
	die "the reflector did not start (its output is above)"
fi
indent < "$WORK/echo.log"
ECHO_MODE=$(sed -n 's/^xdpsock-echo: vb queue [0-9]*: //p' "$WORK/echo.log" | head -n 1)
info "the reflector's socket got: $ECHO_MODE"
info "XDP on vb: $(ip -n "$NS_B" -d link show dev vb | grep -o 'prog/xdp[^ ]* id [0-9]*' | head -n 1 || echo none)"

# ---- 3. the sender -------------------------------------------------------------------------
say "3. Sending $COUNT UDP frames of $SIZE bytes at $RATE per second: xdpsock-ping on va in $NS_A"
info "each reply must come back with addresses and ports swapped and every other byte unchanged"
# In the background, so that a signal to this script is handled at once (bash's wait returns).
# timeout: a second bound, in case the sender's own one failed.
# shellcheck disable=SC2086
timeout --kill-after=5 "$PING_LIMIT" ip netns exec "$NS_A" "$PING_BIN" --count "$COUNT" --rate "$RATE" \
	--size "$SIZE" --dst-mac "$MAC_B" --src-ip "$IP_A" --dst-ip "$IP_B" ${DEMO_PING_ARGS:-} va \
	> "$WORK/ping.log" 2>&1 &
PING_PID=$!
PING_RC=0
wait "$PING_PID" || PING_RC=$?
PING_PID=
indent < "$WORK/ping.log"
PING_MODE=$(sed -n 's/^xdpsock-ping: va queue [0-9]*: //p' "$WORK/ping.log" | head -n 1)
RESULT=$(sed -n 's/^xdpsock-ping: \(sent .*\) in .*/\1/p' "$WORK/ping.log" | head -n 1)
RTT=$(sed -n 's/^xdpsock-ping: rtt (us) over [0-9]* replies: //p' "$WORK/ping.log" | head -n 1)
info "the sender's socket got: ${PING_MODE:-unknown}"
info "result: ${RESULT:-no result (exit status $PING_RC)}"
[ -z "$RTT" ] || info "round trip, microseconds: $RTT"

# ---- 4. stopping the reflector -------------------------------------------------------------
say "4. Stopping the reflector with SIGTERM; its summary:"
stop_echo
sed '1,/echoing/d' "$WORK/echo.log" | indent	# everything after its ready line
ECHOED=$(sed -n 's/^ *frames echoed *\([0-9]*\).*/\1/p' "$WORK/echo.log" | head -n 1)
info "the reflector exited with status $ECHO_RC after echoing ${ECHOED:-?} frames"

# ---- 5. cleanup ----------------------------------------------------------------------------
say "5. Removing the namespaces (and with them the veth pair and the XDP programs)"
for ns in "${created[@]}"; do
	ip netns del "$ns"
	info "deleted $ns"
done
created=()
left=$(ip netns list | grep -c "^xsdemo-$$-" || true)
[ "$left" -eq 0 ] || info "warning: $left namespace(s) of this demo are still listed"

# ---- verdict -------------------------------------------------------------------------------
if [ "$PING_RC" -eq 0 ] && [ "$ECHO_RC" -eq 0 ]; then
	P50=$(sed -n 's/.*p50 \([0-9.]*\).*/\1/p' <<< "$RTT")
	P99=$(sed -n 's/.*p99 \([0-9.]*\).*/\1/p' <<< "$RTT")
	verdict "PASS - $COUNT/$COUNT frames went va -> vb -> va through AF_XDP and came back intact (rtt p50 $P50 us, p99 $P99 us)"
	exit 0
fi
why=
# A Ctrl-C reaches the programs too: they stop, report, and the script goes on to clean up.
grep -q '^xdpsock-ping: interrupted' "$WORK/ping.log" && why="interrupted, "
verdict "FAIL - $why${RESULT:-the sender gave no result} (sender exit $PING_RC, reflector exit $ECHO_RC)"
exit 1
