# bash completion for xdpbridge, xdplab and xdpgen.
#
# Commands and options are read from the programs' own --help (the first word of each indented
# line of `PROG --help`, and every --long-option of `PROG COMMAND --help`), so the completion
# cannot drift from the programs.  Other words complete to interface names (xdpbridge, xdpgen),
# or to lab files and node names (xdplab).

_xdpsock_commands()
{
	"$1" --help 2>/dev/null | awk '/^  [a-z]/ { print $1 }'
}

_xdpsock_options()
{
	"$1" "$2" --help 2>/dev/null | grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

_xdpsock_complete()
{
	local prog=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]:-}

	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_xdpsock_commands "$prog") --help --version" -- "$cur")
		return 0
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_xdpsock_options "$prog" "$cmd")" -- "$cur")
		return 0
	fi
	case ${prog##*/} in
	xdplab)
		mapfile -t COMPREPLY < <(compgen -f -X '!*.lab' -- "$cur"; compgen -d -- "$cur") ;;
	*)
		mapfile -t COMPREPLY < <(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur") ;;
	esac
	return 0
}

complete -F _xdpsock_complete xdpbridge xdplab xdpgen
