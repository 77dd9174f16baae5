#!/usr/bin/env bash
# The Debian packages (root): build them (make deb), install them, build a program through the
# installed `pkg-config xdpsock`, run it and the tools, check the hardening flags reached the
# binaries, then purge the packages again, also when a check fails.  Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail
O=${1:-build}
PKGS=(libxdpsock0 libxdpsock-dev xdpsock-tools)
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP deb: needs root (dpkg -i)${CI:+ -- and CI=true, so this skip is a failure}"
	exit 77
fi
for t in dpkg-buildpackage dh fakeroot; do
	command -v "$t" >/dev/null || { echo "FAIL deb: $t is missing ('make deps' installs it)"; exit 1; }
done
for p in "${PKGS[@]}"; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		echo "FAIL deb: $p is already installed on this machine; this test installs and purges its own build, so it leaves yours alone"
		exit 1
	fi
done
tmp=$(mktemp -d)
cleanup() { dpkg --purge "${PKGS[@]}" > /dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
fails=0
check() { local what=$1; shift; if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fails=$((fails + 1)); fi; }

make --no-print-directory -s O="$O" deb > "$tmp/make.log" 2>&1 || { echo "FAIL deb: make deb"; tail -n 30 "$tmp/make.log"; exit 1; }
debs=()
for p in "${PKGS[@]}"; do debs+=("$(ls "$O"/deb/"${p}"_*.deb)"); done
for d in "${debs[@]}"; do echo "     $(basename "$d"): $(du -k "$d" | cut -f1) KiB"; done
check "dpkg -i of the three packages" sh -c 'dpkg -i "$@" > "$0" 2>&1' "$tmp/dpkg.log" "${debs[@]}" || tail -n 20 "$tmp/dpkg.log"

cat > "$tmp/hello.c" <<'C'
#include <stdio.h>
#include <xdpsock/xdpsock.h>
int main(void) { return printf("libxdpsock %s\n", xdpsock_version()) < 0; }
C
# shellcheck disable=SC2046
check "a program built through the installed pkg-config xdpsock" \
	cc -std=gnu11 -Wall -Werror "$tmp/hello.c" -o "$tmp/hello" $(pkg-config --cflags --libs xdpsock)
check "it runs against the installed libxdpsock.so.0" sh -c "'$tmp/hello' | grep -q '^libxdpsock [0-9]*\\.[0-9]*\\.[0-9]*$'"
check "the library is in the multiarch directory" test -e "/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/libxdpsock.so.0"
for b in xdpbridge xdplab xdpgen; do
	check "/usr/bin/$b --version" sh -c "/usr/bin/$b --version | grep -q \"^$b [0-9.]* (libxdpsock [0-9.]*)$\""
	check "/usr/bin/$b is PIE with full RELRO (hardening flags honoured)" \
		sh -c "readelf -h /usr/bin/$b | grep -q 'DYN' && readelf -d /usr/bin/$b | grep -q 'BIND_NOW'"
done
check "dpkg --purge" sh -c 'dpkg --purge "$@" > /dev/null' _ "${PKGS[@]}"
check "nothing of the packages is left" sh -c "! dpkg-query -W ${PKGS[*]} 2>/dev/null | grep -q '[0-9]'"
[ $fails -eq 0 ] && echo "PASS deb" || echo "FAIL deb: $fails check(s)"
[ $fails -eq 0 ]
