#!/usr/bin/env bash
# completions/xdpsock.bash against the programs built in BUILD_DIR: commands, options of a
# command, and interface names complete as a user types them.
set -u
O=${1:-build}
PATH=$PWD/$O/bin:$PATH
# shellcheck source=/dev/null
. completions/xdpsock.bash
fails=0
expect() {	# description, words..., then "--", then the words COMPREPLY must contain
	local what=$1 w=() want=() r
	shift
	while [ "$1" != -- ]; do w+=("$1"); shift; done
	shift
	want=("$@")
	COMP_WORDS=("${w[@]}"); COMP_CWORD=$((${#w[@]} - 1)); _xdpsock_complete
	for r in "${want[@]}"; do
		if ! printf '%s\n' "${COMPREPLY[@]}" | grep -qx -- "$r"; then
			echo "FAIL $what: '$r' not among: ${COMPREPLY[*]}"; fails=$((fails + 1)); return
		fi
	done
	echo "ok   $what"
}
expect "xdpbridge commands" xdpbridge "" -- list monitor fwd tap tun --version
expect "xdpbridge f<TAB>" xdpbridge f -- fwd
expect "xdpbridge fwd --f<TAB>" xdpbridge fwd --f -- --force --frame-size --frames
expect "xdpbridge tun options" xdpbridge tun --m -- --match
expect "xdplab commands" xdplab "" -- up down test show graph exec check
expect "xdpgen tx --en<TAB>" xdpgen tx --en -- --engine
expect "interfaces" xdpgen rx l -- lo
expect "lab files" xdplab up tools/xdplab/examples/three -- tools/xdplab/examples/three-nodes.lab
[ $fails -eq 0 ] && echo "PASS completion" || echo "FAIL completion: $fails"
[ $fails -eq 0 ]
