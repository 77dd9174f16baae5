#!/usr/bin/env bash
# Install what building and testing xdpsock needs, from Debian's packages.
# A no-op when everything is present; names the missing packages when it cannot install them.
set -euo pipefail

PKGS=(
	gcc make pkg-config            # toolchain
	clang llvm bpftool             # the XDP programs and their skeletons
	libbpf-dev libelf-dev zlib1g-dev
	libmnl-dev libnl-3-dev libnl-route-3-dev libnl-genl-3-dev
	libcmocka-dev libcap-dev       # tests
	iproute2 iputils-ping procps   # integration tests and the demo
	iperf3 gnuplot-nox python3     # bridge tests (TCP through it), make bench (report, charts)
	debhelper dpkg-dev fakeroot    # make deb, and its test (tests/deb.sh)
	go-md2man mandoc man-db        # man pages from docs/ (tools/man.sh), and their lint
	graphviz                       # xdplab graph -o lab.svg|png (dot), and its test
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "deps: all present"; exit 0; }

echo "deps: missing ${missing[*]}"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
	echo "deps: cannot install them here (needs root and apt-get): install these Debian packages: ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
