#!/usr/bin/env bash
# Run every test binary in $1/tests: unit tests (test_*) then integration tests (it_*).
# Each gets a time limit; exit 0 pass, 77 skip, anything else fail.  Under CI=true a skip
# is a failure: privileged tests must run there.  After each integration test, any
# namespace it left behind is removed and the test fails.
set -u
O=${1:-build}
LIMIT=${TEST_TIMEOUT:-300}
pass=0 fail=0 skip=0 failed=()

leftovers() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^xst[0-9]+[a-z]$' || true; }

for t in "$O"/tests/test_* "$O"/tests/it_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	[ -n "${TESTS:-}" ] && [[ ! " $TESTS " == *" $name "* ]] && continue
	start=${EPOCHREALTIME/./}
	timeout --signal=TERM --kill-after=10 "$LIMIT" "$t" > "$O/tests/$name.log" 2>&1
	rc=$?
	ms=$(( (${EPOCHREALTIME/./} - start) / 1000 )); secs=$((ms / 1000)).$((ms % 1000 / 100))
	left=$(leftovers)
	if [ -n "$left" ]; then
		for ns in $left; do ip netns del "$ns" 2>/dev/null; done
		echo "  $name left namespaces behind: $left" >> "$O/tests/$name.log"
		[ $rc -eq 0 ] && rc=1
	fi
	if [ $rc -eq 77 ] && [ "${CI:-}" = true ]; then
		echo "  CI=true: a skipped privileged test counts as a failure" >> "$O/tests/$name.log"
		rc=1
	fi
	case $rc in
	0)  pass=$((pass + 1)); printf '  PASS  %-28s %6ss\n' "$name" "$secs" ;;
	77) skip=$((skip + 1)); printf '  SKIP  %-28s %s\n' "$name" "$(grep -m1 SKIP "$O/tests/$name.log")" ;;
	*)  fail=$((fail + 1)); failed+=("$name")
	    [ $rc -eq 124 ] && echo "  timed out after ${LIMIT}s" >> "$O/tests/$name.log"
	    printf '  FAIL  %-28s (exit %d)\n' "$name" "$rc"
	    sed 's/^/        | /' "$O/tests/$name.log" | tail -n 40 ;;
	esac
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] || { echo "failed: ${failed[*]}"; exit 1; }
[ $((pass + skip)) -gt 0 ] || { echo "no test was run"; exit 1; }
exit 0
