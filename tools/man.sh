#!/usr/bin/env bash
# A man page from its docs/ counterpart, so the two cannot drift: docs/NAME.md is the source.
#
#   tools/man.sh docs/xdpbridge.md 8 VERSION > build/man/xdpbridge.8
#
# The doc's first line "# NAME: what it is" becomes the NAME section (unless the doc has one of
# its own); its "##" headings become sections and "###" subsections; go-md2man (Debian package
# go-md2man) writes the roff.  Its inline-code font (\fC) is not a font man(7) knows: bold instead;
# blank lines and paragraph macros right after a heading are dropped (mandoc -Tlint: clean).
set -euo pipefail
doc=$1 section=$2 version=$3
name=$(basename "$doc" .md)
when=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}" +%Y-%m-%d)
{
	printf '%% %s %s "%s" "xdpsock %s"\n\n' "$(tr '[:lower:]' '[:upper:]' <<<"$name")" "$section" "$when" "$version"
	awk -v name="$name" '
		NR == 1 && /^# / {
			title = substr($0, 3)
			sub(/^[^:]*: */, "", title)
			next
		}
		/^```/ { fence = !fence }
		!fence && /^## NAME$/ { has_name = 1; in_name = 1 }
		# whatis(1) wants "name \- what it is" on the NAME line: the doc writes "`name` — what".
		in_name && /^`[^`]*` — / { sub(/^`[^`]*` — /, name " \\- "); in_name = 0 }
		!fence && !printed_name && !has_name && /^## / && title != "" {
			print "# NAME\n\n" name " \\- " title "\n"
			printed_name = 1
		}
		!fence && /^### / { sub(/^### /, "## ") ; print; next }
		!fence && /^## / { sub(/^## /, "# "); print; next }
		!fence && /^---$/ { next }
		{ print }
	' "$doc"
} | go-md2man | sed 's/\\fB\\fC/\\fB/g; s/\\fC//g' |
	# A paragraph macro right after a heading or another one is redundant (mandoc -Tlint says so).
	awk '/^$/ { next } /^\.(PP|sp)$/ && prev ~ /^\.(SH|SS|PP|sp|TP)/ { next } { print; prev = $0 }'
