#!/usr/bin/env bash
# debian/libxdpsock0.symbols from lib/libxdpsock.map: every exported symbol with the version node
# that added it.  tests/install.sh checks that the committed file matches; run this after adding a
# symbol to the map:   tools/gen-symbols.sh > debian/libxdpsock0.symbols
set -euo pipefail
cd "$(dirname "$0")/.."
echo "libxdpsock.so.0 libxdpsock0 #MINVER#"
echo "* Build-Depends-Package: libxdpsock-dev"
awk '/^LIBXDPSOCK_[0-9.]+ \{/ { node = $1; ver = substr(node, 12) ".0"; print " " node "@" node " " ver }
     /^\t\txdpsock[a-z_0-9]*;/ { sym = $1; sub(/;/, "", sym); print " " sym "@" node " " ver }' lib/libxdpsock.map
