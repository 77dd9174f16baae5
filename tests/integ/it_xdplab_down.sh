#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# xdplab down (and up's refusals) on what xdplab did not make, on half-made entries and under signals
# (root).  Issue 17, a bad-input campaign:
#   1. a namespace named like a node of the lab but made by someone else (ip netns add): up refuses
#      without advising 'down', down leaves it and its interfaces alone, show says it is not the lab's;
#   2. SIGINT, SIGTERM or SIGHUP during down of a large lab: the removal is finished, the signal named;
#      SIGPIPE (stdout read by 'head') stops neither up nor down halfway;
#   3. a half-made /run/netns entry (an empty file, nothing mounted: what a SIGKILLed up leaves):
#      named, removed by down, exit status and stdout agree; anything else there is left alone.
#
# Namespaces are xst<run>-<pid>[x]-<node>: tests/run.sh finds leftovers by the xst<run>- prefix.
# Addresses: 198.18.0.0/15 only.  Exit 0 pass, 1 fail, 77 skip (not root).
set -u
. "$(dirname "$0")/lib.sh"

BIN=${XDPSOCK_BUILD:-build}/bin
XL=$BIN/xdplab
LAB=xst${XST_RUN:-0}-$$

need_root "network namespaces, veth, mounts under /run/netns"
for t in ip python3; do
	command -v "$t" >/dev/null || { echo "FAIL: $t is missing ('make deps' installs it)"; exit 1; }
done
[ -x "$XL" ] || { echo "FAIL: no $XL ('make' builds it)"; exit 1; }
make_tmp

on_cleanup() {
	local ns f pid
	for pid in ${PIDS:-}; do kill -9 "$pid" 2>/dev/null; done
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$LAB"); do ip netns del "$ns"; done
	# Entries ip netns cannot delete (not a namespace): ours by the test's own prefix.
	for f in /run/netns/"$LAB"*; do [ -e "$f" ] && { umount -l "$f" 2>/dev/null; rm -rf "$f"; }; done
	rm -rf "$TMP"
}

checkx() {	# description, shell condition (evaluated here, with the test's variables)
	local what=$1
	if eval "$2"; then ok "$what"; else fail "$what"; fi
}
# rc of a command, stdout in $OUT, stderr in $ERR.
run() { "$@" > "$TMP/out" 2> "$TMP/err"; RC=$?; OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err"); }
show_out() { { echo "$OUT"; echo "$ERR"; } | sed '/^$/d; s/^/     | /'; }
# No namespace, /run/netns entry or mount whose name starts with $1-.
nothing_left() {
	! ls /run/netns 2>/dev/null | grep -q "^$1-" && ! grep -q "/run/netns/$1-" /proc/self/mountinfo
}
has_link() { ip -n "$1" -o link show dev "$2" >/dev/null 2>&1; }	# namespace, interface

# ---- 1. someone else's namespace with a node's name ----------------------------------------------
F=$TMP/two.lab
printf 'lab %s\nnode a b\nveth a:e0 b:e0\n' "$LAB" > "$F"
ip netns add "$LAB-a" || exit 1
ip -n "$LAB-a" link add fx0 type veth peer name fx1 || exit 1
ip -n "$LAB-a" link add e0 type veth peer name e1 || exit 1	# named like the lab's own a:e0

run "$XL" up "$F"
show_out
check "up beside a foreign namespace: exit 1 ($RC)" [ "$RC" -eq 1 ]
check "up: says the namespace was not made by this lab" \
	grep -q "namespace $LAB-a exists but was not made by lab $LAB (its lo carries no xdplab:$LAB:a mark)" <<<"$ERR"
check "up: suggests another lab name, at the lab line" grep -q "$F:1: .*another name" <<<"$ERR"
checkx "up: never advises 'down'" '! grep -q "down" <<<"$ERR"'
check "up: made nothing (no $LAB-b)" [ ! -e "/run/netns/$LAB-b" ]

run "$XL" down "$F"
show_out
check "down beside a foreign namespace: exit 0 ($RC)" [ "$RC" -eq 0 ]
check "down: says it leaves the foreign namespace alone" \
	grep -q "namespace $LAB-a exists but was not made by lab $LAB (its lo carries no xdplab:$LAB:a mark): left alone" <<<"$ERR"
check "down: says nothing of the lab was there" grep -q "lab $LAB was not up: nothing to remove; left alone (why: on stderr): $LAB-a$" <<<"$OUT"
check "down: the foreign namespace is still there" [ -e "/run/netns/$LAB-a" ]
checkx "down: with its interfaces fx0 and e0" 'has_link "$LAB-a" fx0 && has_link "$LAB-a" e0'

run "$XL" show "$F"
show_out
check "show FILE: the node is not the lab's" grep -q "node a: netns $LAB-a  NOT MADE BY THIS LAB" <<<"$OUT"
check "show FILE: state names the cause, not 'down'" grep -q "state: blocked" <<<"$OUT"

# The same lab name, one node made by xdplab and one foreign: down removes exactly the marked one.
printf 'lab %s\nnode b c\nveth b:e0 c:e0\n' "$LAB" > "$TMP/bc.lab"
run "$XL" up "$TMP/bc.lab"
check "up of nodes b c beside foreign a: exit 0 ($RC)" [ "$RC" -eq 0 ]
printf 'lab %s\nnode a b c\nveth a:e0 b:e0\nveth b:e1 c:e0\n' "$LAB" > "$TMP/abc.lab"
run "$XL" down -v "$TMP/abc.lab"
show_out
check "down of a b c: exit 0 ($RC)" [ "$RC" -eq 0 ]
check "down: removed b and c only" grep -q "lab $LAB is down: removed 2 namespaces" <<<"$OUT"
checkx "down: left a alone, and said so" \
	'[ -e "/run/netns/$LAB-a" ] && has_link "$LAB-a" e0 && grep -q "namespace $LAB-a exists but was not made by lab $LAB" <<<"$ERR"'
checkx "down: b and c are gone" '[ ! -e "/run/netns/$LAB-b" ] && [ ! -e "/run/netns/$LAB-c" ]'
ip netns del "$LAB-a"
check "part 1 left nothing" nothing_left "$LAB"

# ---- 3. half-made entries -------------------------------------------------------------------------
# What an up killed between creating /run/netns/NAME and mounting the namespace on it leaves.  The
# directory is made a shared mount first, as up does, by a one-node lab.
printf 'lab %s\nnode a\n' "$LAB" > "$TMP/a.lab"
run "$XL" up "$TMP/a.lab"
check "up of node a: exit 0 ($RC)" [ "$RC" -eq 0 ]
F=$TMP/two.lab
printf 'lab %s\nnode b c\n' "$LAB" > "$TMP/bc.lab"
: > "/run/netns/$LAB-b"
run "$XL" up "$TMP/bc.lab"
show_out
check "up beside a half-made entry alone: exit 1 ($RC)" [ "$RC" -eq 1 ]
check "up: names the half-made entry, and down as the remedy" \
	grep -q "/run/netns/$LAB-b is a half-made entry (an empty file with nothing mounted on it.*): 'xdplab down $TMP/bc.lab' removes it" <<<"$ERR"

run "$XL" up "$F"
show_out
check "up beside a half-made entry: exit 1 ($RC)" [ "$RC" -eq 1 ]
check "up: names the half-made entry (first a, which is up)" grep -q "lab $LAB is already up (namespace $LAB-a exists)" <<<"$ERR"
run "$XL" show "$F"
check "show FILE: names the half-made entry and what is wrong" \
	grep -q "/run/netns/$LAB-b is not a network namespace: an empty file with nothing mounted on it" <<<"$OUT"
run "$XL" exec "$LAB/b" true
checkx "exec into it: exit 1, entry named" \
	'[ "$RC" -eq 1 ] && grep -q "/run/netns/$LAB-b is not a network namespace" <<<"$ERR"'

run "$XL" down -v "$F"
show_out
check "down with a half-made entry: exit 0 ($RC)" [ "$RC" -eq 0 ]
checkx "down: no 'Invalid argument', no nameless message" '! grep -q "Invalid argument\|cannot enter the network namespace:" <<<"$ERR"'
check "down: stdout counts the namespace and the half-made entry" \
	grep -q "lab $LAB is down: removed 1 namespace and 0 interfaces (a veth pair counts once), and 1 half-made entry ($LAB-b)$" <<<"$OUT"
check "down: nothing left" nothing_left "$LAB"

# Not a namespace and not half-made: a file with something in it, a directory.  Left alone.
echo "someone's notes" > "/run/netns/$LAB-a"
mkdir "/run/netns/$LAB-b"
run "$XL" down "$F"
show_out
check "down beside a non-empty file and a directory: exit 0 ($RC)" [ "$RC" -eq 0 ]
check "down: the file is named and left alone" \
	grep -q "/run/netns/$LAB-a is not a network namespace: a file of 16 bytes.*: left alone" <<<"$ERR"
check "down: the directory is named and left alone" \
	grep -q "/run/netns/$LAB-b is not a network namespace: a directory.*: left alone" <<<"$ERR"
checkx "down: both still there" '[ "$(cat "/run/netns/$LAB-a")" = "someone'"'"'s notes" ] && [ -d "/run/netns/$LAB-b" ]'
run "$XL" up "$F"
checkx "up beside them: exit 1, no 'down' advice" \
	'[ "$RC" -eq 1 ] && grep -q "not a network namespace" <<<"$ERR" && ! grep -q down <<<"$ERR"'
rm -rf "/run/netns/$LAB-a" "/run/netns/$LAB-b"

# ---- 2. signals during down of a large lab ---------------------------------------------------------
B=$TMP/big.lab
{
	echo "lab ${LAB}x"
	for i in $(seq 0 63); do echo "node n$i"; done
	for i in $(seq 0 63); do
		echo "veth n$i:r$i n$(( (i + 1) % 64 )):l$(( (i + 1) % 64 ))"
		echo "iface n$i:r$i addr 198.18.$i.1/24"
	done
} > "$B"
# A background job of a non-interactive shell starts with SIGINT ignored: restore the default.  exec: the
# signal must reach xdplab, not a subshell.
launch() { exec python3 -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGPIPE, signal.SIGXFSZ):	# python ignores the last two, exec keeps that
    signal.signal(s, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$@"; }

for sig in INT TERM HUP; do
	run "$XL" up "$B"
	[ "$RC" -eq 0 ] || { fail "SIG$sig: big lab up: exit $RC"; show_out; continue; }
	launch "$XL" down "$B" > "$TMP/out" 2> "$TMP/err" &
	PIDS=$!
	# down removes the interfaces newest first: signal it once the last veth has gone.
	for ((k = 0; k < 2000; k++)); do has_link "${LAB}x-n63" r63 || break; sleep 0.001; done
	kill -"$sig" "$PIDS" 2>/dev/null
	wait "$PIDS"
	RC=$?
	PIDS=
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
	show_out
	check "SIG$sig during down: exit 0 ($RC)" [ "$RC" -eq 0 ]
	check "SIG$sig during down: the signal is named" grep -q "down: SIG$sig arrived: the removal was finished first" <<<"$ERR"
	check "SIG$sig during down: stdout says the lab is down" grep -q "lab ${LAB}x is down: removed" <<<"$OUT"
	check "SIG$sig during down: nothing left" nothing_left "${LAB}x"
	"$XL" down "$B" >/dev/null 2>&1
done

# SIGPIPE: -v output read by 'head', which leaves after one line while up and down still write.
"$XL" up -v "$B" 2>"$TMP/err" | head -n 1 >/dev/null
RC=${PIPESTATUS[0]}
check "up -v | head -n 1: up finished ($RC)" [ "$RC" -eq 0 ]
check "... and the lab is up" python3 -c '
import json, subprocess, sys
d = json.loads(subprocess.check_output([sys.argv[1], "show", "--json", sys.argv[2]]))
assert d["labs"][0]["state"] == "up", d["labs"][0]["state"]' "$XL" "$B"
"$XL" down -v "$B" 2>"$TMP/err" | head -n 1 >/dev/null
RC=${PIPESTATUS[0]}
check "down -v | head -n 1: down finished ($RC)" [ "$RC" -eq 0 ]
check "... and nothing is left" nothing_left "${LAB}x"

if [ $fails -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all checks passed"
exit 0
