#!/usr/bin/env bash
# After a plain 'make' (built with the default PREFIX), install into a scratch DESTDIR with
# another PREFIX, as packagers do (make install PREFIX=/usr DESTDIR=...), and build a three-line
# program against the installed library through the installed xdpsock.pc, shared and static;
# run both.  The .pc must name the install-time prefix and directories that exist in the stage.
# Honours CPPFLAGS/LDFLAGS like the build (Debian's hardening flags come that way).
set -euo pipefail
O=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/hello.c" <<'C'
#include <stdio.h>
#include <xdpsock/xdpsock.h>
int main(void) { return printf("%s\n", xdpsock_strerror(EBUSY)) < 0; }
C

check_prefix() {	# prefix libdir
	local prefix=$1 libdir=$2 stage=$tmp/stage${1//\//_} pc
	make --no-print-directory -s O="$O" install DESTDIR="$stage" PREFIX="$prefix" LIBDIR="$libdir" >/dev/null
	pc=$stage$libdir/pkgconfig/xdpsock.pc
	[ -f "$pc" ] || { echo "install: no xdpsock.pc under $libdir/pkgconfig"; return 1; }
	grep -qx "prefix=$prefix" "$pc" || { echo "install: $pc says $(grep ^prefix= "$pc"), not prefix=$prefix"; return 1; }
	grep -qx "libdir=$libdir" "$pc" || { echo "install: $pc says $(grep ^libdir= "$pc"), not libdir=$libdir"; return 1; }
	export PKG_CONFIG_SYSROOT_DIR="$stage" PKG_CONFIG_PATH="$stage$libdir/pkgconfig"
	# shellcheck disable=SC2046
	cc -std=gnu11 -Wall -Werror ${CPPFLAGS:-} "$tmp/hello.c" -o "$tmp/hello-shared" ${LDFLAGS:-} \
		$(pkg-config --cflags --libs xdpsock)
	# shellcheck disable=SC2046
	cc -std=gnu11 -Wall -Werror ${CPPFLAGS:-} "$tmp/hello.c" -o "$tmp/hello-static" ${LDFLAGS:-} \
		$(pkg-config --cflags xdpsock) -Wl,-Bstatic $(pkg-config --libs-only-L xdpsock) -lxdpsock -Wl,-Bdynamic \
		$(pkg-config --static --libs-only-l xdpsock | sed 's/-lxdpsock//')
	LD_LIBRARY_PATH="$stage$libdir" "$tmp/hello-shared" | grep -q 'already in use'
	"$tmp/hello-static" | grep -q 'already in use'
	readelf -d "$tmp/hello-shared" | grep -q 'NEEDED.*libxdpsock.so.0'
	! readelf -d "$tmp/hello-static" | grep -q 'libxdpsock'
	echo "install: PREFIX=$prefix LIBDIR=$libdir: a program built through the installed xdpsock.pc runs (shared and static)"
}

# The shared library exports exactly the symbols of its map, each with its version.
exports=$(nm -D --defined-only "$O"/libxdpsock.so | awk '$3 ~ /^xdpsock/ {print $3}' | sed 's/@@*/ /' | sort)
mapped=$(awk '/^LIBXDPSOCK/ {v=$1} /^\t\txdpsock[a-z_0-9]*;/ {sub(/;/, "", $1); print $1, v}' lib/libxdpsock.map | sort)
[ "$exports" = "$mapped" ] || { echo "install: exported symbols differ from lib/libxdpsock.map:"; diff <(echo "$mapped") <(echo "$exports"); exit 1; }

# Debian's symbols file lists the same, by version (tools/gen-symbols.sh writes it).
if [ -f debian/libxdpsock0.symbols ] && ! diff <(tools/gen-symbols.sh) debian/libxdpsock0.symbols > "$tmp/sym.diff"; then
	echo "install: debian/libxdpsock0.symbols differs from lib/libxdpsock.map: run tools/gen-symbols.sh > debian/libxdpsock0.symbols"
	cat "$tmp/sym.diff"
	exit 1
fi

# Every program answers --version with its version and the library's.
version=$(make -s -p -f Makefile 2>/dev/null | sed -n 's/^VERSION := //p' | head -n1)
for b in xdpbridge xdplab xdpgen xdpsock-echo xdpsock-ping; do
	[ -x "$O/bin/$b" ] || continue
	out=$("$O/bin/$b" --version) || { echo "install: $b --version exits $?"; exit 1; }
	[ "$out" = "$b $version (libxdpsock $version)" ] || { echo "install: $b --version says '$out'"; exit 1; }
done

check_prefix /usr "/usr/lib/$(cc -dumpmachine)"
check_prefix /opt/xdpsock /opt/xdpsock/lib
