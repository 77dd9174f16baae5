#!/usr/bin/env bash
# The man pages (made from docs/ by tools/man.sh at build time) pass `mandoc -Tlint` with no
# warning or error, and each has a NAME section that whatis/apropos can index (lexgrog).
set -uo pipefail
O=${1:-build}
command -v mandoc >/dev/null || { echo "FAIL man: mandoc is missing ('make deps' installs it)"; exit 1; }
fails=0 n=0
for p in "$O"/man/*.[0-9]; do
	[ -e "$p" ] || { echo "FAIL man: no pages under $O/man ('make' builds them)"; exit 1; }
	n=$((n + 1))
	if ! out=$(mandoc -Tlint -W warning "$p" 2>&1) || [ -n "$out" ]; then
		echo "FAIL $(basename "$p"): mandoc -Tlint:"; echo "$out" | head -n 10; fails=$((fails + 1))
	elif ! grep -q '^\.SH NAME' "$p" || ! lexgrog "$p" > /dev/null 2>&1; then
		echo "FAIL $(basename "$p"): no NAME section that whatis can index (lexgrog)"; fails=$((fails + 1))
	else
		echo "ok   $(basename "$p")"
	fi
done
echo "man: $n pages, $fails failed"
[ $fails -eq 0 ]
