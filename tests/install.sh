#!/usr/bin/env bash
# Install into a scratch DESTDIR and build a three-line program against the installed
# library through pkg-config, shared and static; run both.
set -euo pipefail
O=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=/usr/local
make --no-print-directory -s O="$O" install DESTDIR="$tmp" PREFIX="$prefix" >/dev/null
export PKG_CONFIG_SYSROOT_DIR="$tmp" PKG_CONFIG_PATH="$tmp$prefix/lib/pkgconfig"
cat > "$tmp/hello.c" <<'C'
#include <stdio.h>
#include <xdpsock/xdpsock.h>
int main(void) { return printf("%s\n", xdpsock_strerror(EBUSY)) < 0; }
C
# shellcheck disable=SC2046
cc -std=gnu11 -Wall -Werror "$tmp/hello.c" -o "$tmp/hello-shared" $(pkg-config --cflags --libs xdpsock)
# shellcheck disable=SC2046
cc -std=gnu11 -Wall -Werror "$tmp/hello.c" -o "$tmp/hello-static" $(pkg-config --cflags xdpsock) \
	-Wl,-Bstatic $(pkg-config --libs-only-L xdpsock) -lxdpsock -Wl,-Bdynamic $(pkg-config --static --libs-only-l xdpsock | sed 's/-lxdpsock//')
LD_LIBRARY_PATH="$tmp$prefix/lib" "$tmp/hello-shared" | grep -q 'already in use'
"$tmp/hello-static" | grep -q 'already in use'
readelf -d "$tmp/hello-shared" | grep -q 'NEEDED.*libxdpsock.so.0' 
! readelf -d "$tmp/hello-static" | grep -q 'libxdpsock'
echo "install: a program built through pkg-config against the installed library runs (shared and static)"
