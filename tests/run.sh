#!/usr/bin/env bash
# Run every test binary in each build tree given (default: build): unit tests (test_*),
# integration tests (it_*), then, for the first tree, the installed-library check and the Debian
# packages (tests/deb.sh).
# Each gets a time limit; exit 0 pass, 77 skip, anything else fail.  Under CI=true a skip
# is a failure (privileged tests must run there), with one exception: a test whose probe
# proved that the running kernel refuses the feature it tests prints
#   KERNEL-REFUSED <feature>: <what the kernel answered>
# and exits 77.  Such lines, also from tests that passed by checking a fallback, are listed
# at the end under "refused by this kernel".  After each integration test, any namespace it
# left behind is removed and the test fails.
set -u
[ $# -gt 0 ] || set -- build
LIMIT=${TEST_TIMEOUT:-300}
pass=0 fail=0 skip=0 failed=() refused=()

# Tests name their namespaces xst<run>-<pid><side> (tests/integ/lab.c): ours are found, a concurrent run's are not.
export XST_RUN=$$
leftovers() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^xst$XST_RUN-" || true; }

run_one() {	# tree, test command...
	local O=$1 t=$2 name rc ms secs left
	shift
	name=$(basename "$t")
	[ -n "${TESTS:-}" ] && [[ ! " $TESTS " == *" $name "* ]] && return
	[ "$O" != "$first" ] && label="$name [$(basename "$O")]" || label=$name
	start=${EPOCHREALTIME/./}
	XDPSOCK_BUILD=$O timeout --signal=TERM --kill-after=10 "$LIMIT" "$@" > "$O/tests/$name.log" 2>&1
	rc=$?
	ms=$(( (${EPOCHREALTIME/./} - start) / 1000 )); secs=$((ms / 1000)).$((ms % 1000 / 100))
	left=$(leftovers)
	if [ -n "$left" ]; then
		for ns in $left; do ip netns del "$ns" 2>/dev/null; done
		echo "  $name left namespaces behind: $left" >> "$O/tests/$name.log"
		[ $rc -eq 0 ] && rc=1
	fi
	why=$(grep -m1 '^KERNEL-REFUSED ' "$O/tests/$name.log" | cut -c16-)
	if [ $rc -eq 77 ] && [ "${CI:-}" = true ] && [ -z "$why" ]; then
		echo "  CI=true: a skipped privileged test counts as a failure (only a kernel refusal that a probe proved, printed as KERNEL-REFUSED, may skip)" >> "$O/tests/$name.log"
		rc=1
	fi
	while IFS= read -r line; do
		[ $rc -eq 77 ] && refused+=("$line ($label: skipped)") || refused+=("$line ($label: fallback checked)")
	done < <(grep '^KERNEL-REFUSED ' "$O/tests/$name.log" | cut -c16- | sort -u)
	case $rc in
	0)  pass=$((pass + 1)); printf '  PASS  %-36s %6ss\n' "$label" "$secs" ;;
	77) skip=$((skip + 1)); printf '  SKIP  %-36s %s\n' "$label" "${why:+kernel refused $why}$(grep -m1 SKIP "$O/tests/$name.log")" ;;
	*)  fail=$((fail + 1)); failed+=("$label")
	    [ $rc -eq 124 ] && echo "  timed out after ${LIMIT}s" >> "$O/tests/$name.log"
	    printf '  FAIL  %-36s (exit %d)\n' "$label" "$rc"
	    sed 's/^/        | /' "$O/tests/$name.log" | tail -n 40 ;;
	esac
}

first=$1
for O in "$@"; do
	[ "$O" != "$first" ] && echo "== again under AddressSanitizer/UBSan ($O)"
	mkdir -p "$O/tests"
	for t in "$O"/tests/test_* "$O"/tests/it_*; do
		[ -x "$t" ] && [[ "$t" != *.log ]] && run_one "$O" "$t"
	done
done
run_one "$first" tests/install.sh "$first"
run_one "$first" tests/man.sh "$first"
run_one "$first" tests/completion.sh "$first"
run_one "$first" tests/deb.sh "$first"
if [ ${#refused[@]} -gt 0 ]; then
	echo "refused by this kernel ($(uname -r)):"
	printf '  %s\n' "${refused[@]}"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] || { echo "failed: ${failed[*]}"; exit 1; }
[ $((pass + skip)) -gt 0 ] || { echo "no test was run"; exit 1; }
exit 0
