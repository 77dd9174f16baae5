#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Write the seed corpora of the structured fuzz targets into tests/fuzz/corpus/<target>/.

Each target's header comment says what its input means; the seeds here are the unit tests'
cases in that form (one flow of each kind, interleaved flows, a short last segment, PSH, the
super-packets of test_bridge_tun_gso, neighbour and link events, xdpgen frames and streams),
so that a short run starts where the interesting code is.  The files are committed: run this
only after changing an input format.  Usage: tests/fuzz/mkseeds.py [CORPUS_DIR]
"""
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes(data))


# ---- fuzz_bridge_tun_gro: cfg, seed, flows, ops ----

def gro_flow(v6=False, udp=False, ts=True, df=True, sport=0, src=1, mss=1000, seq=0xFFFFF000):
    kind = v6 | udp << 1 | (ts and not udp) << 2 | df << 3
    return struct.pack(">BBBHI", kind, sport, src, mss, seq)


def gro(name, flows, ops, tap=False, no_tcp=False, no_udp=False, fail=0):
    cfg = tap | no_tcp << 1 | no_udp << 2 | fail << 3
    data = struct.pack(">BIB", cfg, 0x1234, len(flows) - 1) + b"".join(flows) + bytes(ops)
    write("fuzz_bridge_tun_gro", name, data)


def op(what, flow=0, *operands):
    return [what << 3 | flow, *operands]


for v6 in (0, 1):
    for udp in (0, 1):
        for tap in (0, 1):
            kind = f"{'udp' if udp else 'tcp'}{6 if v6 else 4}-{'tap' if tap else 'tun'}"
            gro(f"one-flow-{kind}", [gro_flow(v6, udp)], [0] * 10, tap=tap)
gro("interleaved", [gro_flow(), gro_flow(sport=1)], [0, 1] * 6)
gro("short-last", [gro_flow(udp=True)], [0] * 5 + op(16, 0, 1, 44) + [0, 0])
gro("psh", [gro_flow()], [0] * 3 + op(17) + [0, 0])
gro("hole", [gro_flow()], [0] * 3 + op(19, 0, 0, 1) + [0, 0])
gro("many-flows", [gro_flow(v6=i & 1, udp=i & 2, sport=i) for i in range(8)], list(range(8)) * 3)
gro("more-flows-than-held", [gro_flow(v6=i & 1, udp=i & 2, sport=i) for i in range(12)],
    (list(range(8)) + [8 << 3 | i for i in range(4)]) * 3)
gro("mixed", [gro_flow(), gro_flow(v6=True, udp=True)],
    [0, 1, 0, 1] + op(22, 0, 0) + op(24, 1, 7) + op(25, 0) + op(27, 1) + op(28, 0, 0, 30, 1) + op(29, 1, 0, 40)
    + op(30, 0, 0, 1) + op(31, 0, 0, 8) + [0x45, 0, 0, 8, 0, 0, 0, 0] + [0, 1])
gro("refused-and-lost", [gro_flow(), gro_flow(udp=True)], [0, 1] * 8, tap=True, fail=2)
gro("no-tcp", [gro_flow(), gro_flow(udp=True)], [0, 1] * 4, no_tcp=True)
gro("max-segs", [gro_flow(mss=1460)], [0] * 66)

# ---- fuzz_bridge_tun_gso: mode, MTU, virtio-net header, extra payload, packet ----

ETH4 = bytes.fromhex("020000000701020000000702") + b"\x08\x00"
ETH6 = bytes.fromhex("020000000701020000000702") + b"\x86\xdd"
A4 = bytes([198, 18, 8, 2, 198, 18, 7, 1])
A6 = bytes.fromhex("2001000200080000000000000000000220010002000700000000000000000001")


def ip4(proto, total):
    return struct.pack(">BBHHHBBH", 0x45, 0, total, 0x1234, 0x4000, 64, proto, 0) + A4


def ip6(proto, plen, hbh=False):
    h = struct.pack(">IHBB", 0x60000000, plen + (8 if hbh else 0), 0 if hbh else proto, 64) + A6
    return h + (bytes([proto, 0, 1, 4, 0, 0, 0, 0]) if hbh else b"")


def tcp(flags=0x10, seq=0xFFFFF000):
    return struct.pack(">HHIIBBHHH", 5201, 80, seq, 0x12345678, 8 << 4, flags, 501, 0, 0) + \
        bytes.fromhex("0101080a000003e80badcafe")


def gso(name, link, v6, udp, payload, mss, mtu=1500, derive=False, hbh=False, flags=0x99, frame4k=False):
    l3 = (14 if link == 1 else 18 if link == 2 else 0)
    l4h = udp and struct.pack(">HHHH", 40000, 4789, 8 + payload, 0) or tcp(flags)
    proto = 17 if udp else 6
    iph = ip6(proto, len(l4h) + payload, hbh) if v6 else ip4(proto, 20 + len(l4h) + payload)
    eth = b"" if link == 0 else (ETH6 if v6 else ETH4)
    if link == 2:
        eth = eth[:12] + b"\x81\x00\x00\x07" + eth[12:]
    l4 = l3 + len(iph)
    gtype = 5 if udp else 4 if v6 else 1
    vh = struct.pack(">BBHHHH", 1, gtype, l4 + len(l4h), mss, l4, 6 if udp else 16)
    mode = link | frame4k << 2 | derive << 3
    pkt = eth + iph + l4h
    write("fuzz_bridge_tun_gso", name, struct.pack(">BH", mode, mtu - 68) + vh + struct.pack(">H", payload) + pkt)


for v6 in (0, 1):
    for udp in (0, 1):
        for link in (0, 1):
            kind = f"{'udp' if udp else 'tcp'}{6 if v6 else 4}-{'tap' if link else 'tun'}"
            gso(f"{kind}", link, v6, udp, 5000, 1448 if not udp else 1000)
gso("tcp4-64k", 0, 0, 0, 65000, 1448, frame4k=True)
gso("tcp6-hbh-derive", 1, 1, 0, 3000, 1000, derive=True, hbh=True)
gso("udp6-hbh", 0, 1, 1, 2500, 1000, hbh=True)
gso("tcp4-vlan", 2, 0, 0, 3000, 1400)
gso("udp4-one", 0, 0, 1, 700, 1000)
gso("tcp4-too-big", 0, 0, 0, 9000, 8000, mtu=9000)
# A packet of its own whose checksum the host left to finish (NEEDS_CSUM, no GSO).
udp_pkt = ip4(17, 20 + 8 + 9) + struct.pack(">HHHH", 99, 53, 17, 0x1234) + b"partial!!"
write("fuzz_bridge_tun_gso", "csum-finish",
      struct.pack(">BH", 0, 1432) + struct.pack(">BBHHHH", 1, 0, 0, 0, 20, 6) + b"\0\0" + udp_pkt)

# ---- fuzz_bridge_tun_frame: running sum, split, two MACs, packet ----

MACS = bytes.fromhex("020000000701") + bytes.fromhex("020000000702")
for name, pkt in [("ip4-unicast", ip4(17, 28) + bytes(8)),
                  ("ip4-mdns", ip4(17, 28)[:16] + bytes([224, 0, 0, 251]) + bytes(8)),
                  ("ip4-broadcast", ip4(17, 28)[:16] + bytes([255] * 4) + bytes(8)),
                  ("ip6-unicast", ip6(58, 8) + bytes(8)),
                  ("ip6-all-nodes", ip6(58, 8)[:24] + bytes.fromhex("ff020000000000000000000000000001") + bytes(8)),
                  ("tap-tagged", ETH4[:12] + b"\x81\x00\x00\x07\x08\x00" + ip4(17, 28) + bytes(8)),
                  ("short", b"\x45\x00")]:
    write("fuzz_bridge_tun_frame", name, struct.pack(">IB", 0xFFFF, 3) + MACS + pkt)

# ---- fuzz_bridge_tun_match: mode, then a --match value or an argv ----

for i, rule in enumerate(["dst=198.18.5.0/24,proto=udp", "dport=5000", "src=2001:2::/48,sport=1000-2000",
                          "proto=ICMPv6", "dst=198.18.0.1,src=198.19.0.0/16,proto=6,dport=80-81,sport=0",
                          "dst=2001:2::1/128,proto=sctp", "02:00:00:00:07:01"]):
    write("fuzz_bridge_tun_match", f"rule-{i}", b"\x00" + rule.encode())
for i, (kind, argv) in enumerate([(0, "vb\n--tun\nxt0\n--match\ndst=198.18.5.0/24,proto=udp\n--match\ndport=5000"),
                                  (0, "vb\n--tun\nxt0\n--peer-mac\n02:00:00:00:07:01\n-q\n0-1"),
                                  (0, "vb\n--tun\nxt0\n--via\n198.18.0.1\n--via\n2001:2::1\n--no-resolve"),
                                  (1, "vb\n--tap\nxt0\n--no-gro\n--batch\n32\n--frames\n8192"),
                                  (1, "vb\n--tap\nxt0\n--peer-mac\n02:00:00:00:07:01"),
                                  (0, "--help")]):
    write("fuzz_bridge_tun_match", f"argv-{i}", bytes([1 | kind << 1]) + argv.encode())

# ---- fuzz_bridge_nlevents: one datagram of neighbour and link events ----

RTM_NEWLINK, RTM_DELLINK, RTM_NEWNEIGH, RTM_DELNEIGH = 16, 17, 28, 29


def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + bytes((4 - n % 4) % 4)


def msg(t, body, flags=0, seq=0):
    return struct.pack("=IHHII", 16 + len(body), t, flags, seq, 0) + body


def neigh(t, family, ifindex, state, dst, mac=None, flags=0):
    body = struct.pack("=BxxxiHBB", family, ifindex, state, flags, 1) + attr(1, dst)
    return msg(t, body + (attr(2, mac) if mac is not None else b""))


MAC = bytes.fromhex("020000000702")
D4 = bytes([198, 18, 0, 1])
D6 = bytes.fromhex("20010002000000000000000000000001")
write("fuzz_bridge_nlevents", "neigh-events",
      neigh(RTM_NEWNEIGH, 2, 7, 0x02, D4, MAC) + neigh(RTM_NEWNEIGH, 10, 7, 0x04, D6, MAC)
      + neigh(RTM_NEWNEIGH, 2, 7, 0x01, D4) + neigh(RTM_DELNEIGH, 10, 7, 0x04, D6, MAC)
      + neigh(RTM_NEWNEIGH, 2, 7, 0x02, D4, MAC, flags=0x08) + neigh(RTM_NEWNEIGH, 2, 7, 0x80, D4, bytes(6)))


def link(t, ifindex, name, flags, oper, mtu, xdp_prog=0, kind=None):
    body = struct.pack("=BxHiII", 0, 1, ifindex, flags, 0xFFFFFFFF) + attr(3, name.encode() + b"\0") \
        + attr(4, struct.pack("=I", mtu)) + attr(16, bytes([oper])) + attr(1, MAC)
    if kind:
        body += attr(18 | 0x8000, attr(1, kind.encode() + b"\0"))
    if xdp_prog:
        body += attr(43 | 0x8000, attr(2, bytes([1])) + attr(4, struct.pack("=I", xdp_prog)))
    return msg(t, body)


write("fuzz_bridge_nlevents", "link-events",
      link(RTM_NEWLINK, 5, "vb", 0x1, 6, 1500, kind="veth") + link(RTM_NEWLINK, 5, "vb", 0x10043, 6, 1500, kind="veth")
      + link(RTM_NEWLINK, 5, "vb", 0x10043, 6, 9000, 42, kind="veth") + link(RTM_NEWLINK, 5, "vb", 0x1003, 2, 9000)
      + link(RTM_DELLINK, 5, "vb", 0, 2, 9000) + link(RTM_NEWLINK, 6, "xt0", 0x1, 0, 1500, kind="tun"))
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_bridge_nlparse", "getlink-0"),
          "rb") as f:
    write("fuzz_bridge_nlevents", "getlink-dump", f.read())

# ---- fuzz_xdpgen_rx: window, first number, expected, records ----


def xg(name, window_exp, first, expected, records):
    write("fuzz_xdpgen_rx", name, struct.pack(">BIH", window_exp, first, expected) + b"".join(records))


def frame(v6, length, seq, ts=1000, sport=40000, pad=0, changes=()):
    op = 0 | v6 << 2 | len(changes) << 3
    rec = struct.pack(">BHIIHB", op, length, seq, ts, sport, pad)
    return rec + b"".join(struct.pack(">HB", o, x) for o, x in changes)


xg("in-order", 0, 0, 8, [frame(0, 60, i) for i in range(8)])
xg("ipv6-reordered", 1, 0, 6, [frame(1, 200, s) for s in (0, 2, 1, 4, 3, 3)])
xg("damaged", 0, 0, 4, [frame(0, 200, 0, changes=[(46, 0x80)]), frame(1, 300, 1, changes=[(15, 1)]),
                        frame(0, 100, 2, pad=4, changes=[(120, 0xff)]), frame(0, 1500, 3)])
xg("wrap", 2, 0xFFFFFFF0, 0, [frame(0, 64, 0xFFFFFFF0 + i) for i in range(4)] + [bytes([2, 30]), bytes([3, 40, 1])])
xg("stale", 0, 100, 0, [bytes([2, 0]), bytes([3, 100, 1]), bytes([2, 0x80]), bytes([3, 10, 0xFF])])
xg("raw-other", 0, 0, 0, [struct.pack(">BH", 1, 42) + bytes(42)])
