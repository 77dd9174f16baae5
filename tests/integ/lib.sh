# SPDX-License-Identifier: MIT OR Apache-2.0
#
# The shell test library: sourced, never run (the runner runs build/tests/it_* only; the Makefile
# installs this file beside the script tests).  A script starts with
#
#   set -u
#   . "$(dirname "$0")/lib.sh"
#   need_root "network namespaces, veth, XDP"      # SKIP <name>: needs root (...), exit 77
#   A=$PFX-a; register_ns "$A"                     # xst<run>-<pid>-a, removed on exit
#   make_tmp                                       # $TMP, removed on exit
#
# and ends with `finish` (exit 0 when every check passed, else 1).  Background processes it
# starts go into PIDS (PIDS+=("$!")): the exit trap kills them by PID, then every process left in
# our namespaces, then removes the namespaces (bounded retry) and $TMP.  A script that has more to
# undo defines on_cleanup, which runs first.
#
# Exit 0 pass, 1 fail, 77 skip.  Under CI=true the runner (tests/run.sh) counts a skip as a
# failure, as for tests/integ/lab.c, except one that printed `KERNEL-REFUSED <feature>: <answer>`
# (kernel_refused): only a probe that proved the running kernel refuses a feature may skip there.

XST_NAME=$(basename "$0" .sh)
BUILD=${XDPSOCK_BUILD:-build}
# The runner finds a run's leftovers by this prefix (tests/run.sh, tests/integ/lab.c).
PFX=xst${XST_RUN:-0}-$$
fails=0
PIDS=()
NSES=()
TMP=

say() { echo "[$(date +%H:%M:%S.%N | cut -c1-12)] $*"; }
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
check() {	# description, command...
	local what=$1
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}
verdict() {	# status of the condition just evaluated, description
	if [ "$1" = 0 ]; then ok "$2"; else fail "$2"; fi
}

# The final verdict: exit 0 when no check failed, else 1.
finish() {
	if [ "$fails" -ne 0 ]; then
		echo "$XST_NAME: $fails check(s) failed"
		exit 1
	fi
	echo "$XST_NAME: all checks passed"
	exit 0
}

# Not root: skip (exit 77), saying what needs it.  Under CI=true the runner makes this a failure.
need_root() {	# what root is needed for
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP $XST_NAME: needs root ($1)"
		exit 77
	fi
}

# A tool that is missing is a failure, never a skip.
need_tools() {	# tool...
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "FAIL $XST_NAME: $t is missing ('make deps' installs it)"; exit 1; }
	done
}

# The one line the runner lists under "refused by this kernel"; the caller then checks the
# fallback, or exits 77 when there is none.
kernel_refused() {	# feature, what the kernel answered
	echo "KERNEL-REFUSED $1: $2"
}

# Namespaces of ours ($PFX-...), removed on exit: register before creating them.
register_ns() { NSES+=("$@"); }

# A temporary directory $TMP, removed on exit.
make_tmp() {
	TMP=$(mktemp -d "/tmp/$PFX.XXXXXX") || exit 1
}

# Wait until FILE has a line matching extended regex RE (at most S seconds).
wait_for() {	# file, regex, seconds
	local file=$1 re=$2 s=$3 i
	for ((i = 0; i < s * 20; i++)); do
		grep -qE -- "$re" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# jq-like: print field PATH (a.b.c) of the JSON object in FILE.
jget() {	# file, path
	python3 - "$1" "$2" <<'PY'
import json, sys
try:
    v = json.load(open(sys.argv[1]))
    for k in sys.argv[2].split("."):
        v = v[k]
    print(str(v).lower() if isinstance(v, bool) else v)
except Exception as e:
    print("<%s>" % e)
PY
}

xst_cleanup() {
	local pid ns i
	trap - EXIT INT TERM
	declare -F on_cleanup >/dev/null && on_cleanup
	for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
	for ns in "${NSES[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
		# A concurrent 'ip netns exec' elsewhere can make one removal fail (EBUSY): try again, bounded.
		for ((i = 0; i < 20; i++)); do
			ip netns del "$ns" 2>/dev/null
			[ -e "/run/netns/$ns" ] || break
			sleep 0.1
		done
	done
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap xst_cleanup EXIT
trap 'exit 1' INT TERM
