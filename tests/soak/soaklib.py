# SPDX-License-Identifier: MIT OR Apache-2.0
"""Helpers of tests/soak/soak.sh (run with python3, never imported elsewhere).

  send DST PORT COUNT RATE SIZE [SRC]   UDP datagrams in xdpgen's payload format (docs/xdpgen.md:
                                        "XGEN", sequence number u32, send time u64 ns, then byte k =
                                        k * 7 + 0x5a), so that `xdpgen rx --expect` verifies what a
                                        host sends through a TUN.  SIZE: payload bytes (>= 16).
                                        Paced in bursts of RATE/1000; ENOBUFS retried.
  recv BIND PORT COUNT SECS SIZE [IDLE]  the other way round: verify what `xdpgen tx` sent through the
                                        bridge into a TUN and up a host's stack (payload SIZE bytes,
                                        magic, pattern; the kernel checked the UDP checksum).  Prints
                                        "ready" once bound, then one JSON line; exit 0 when every
                                        number 0..COUNT-1 arrived once, intact.  IDLE: stop after
                                        IDLE s without a datagram, once one came (calibration)
  watch PID OUT [MAXSECS]               every second, "t rss_kb fds maps threads" of process PID into
                                        OUT, until PID ends (or MAXSECS)
  summary FILE fwd|tun REASON           the bridge's final JSON summary (the last "summary" line of FILE):
                                        stopped for REASON, drained, and per direction the identities
                                        of docs/xdpbridge.md (fwd: received = forwarded + oversize +
                                        invalid + held, forwarded = accepted = sent + in_flight; tun:
                                        received = delivered + drops, delivered = sent + in_flight),
                                        held = in_flight = 0, no drop of any kind, the kernel's
                                        included; one line per direction, exit 1 on any mismatch
  stalls FILE                           the seconds of the bridge's per-second JSON stats in FILE in
                                        which frames were dropped, with the frames received then
  flat OUT WARMUP RSS_KB FDS MAPS       the samples after WARMUP seconds: min/max of each and the
                                        growth over the first sample after warm-up; one JSON line;
                                        exit 1 when a growth exceeds its tolerance (or too few samples)
"""
import errno
import json
import os
import socket
import struct
import sys
import time

MAGIC = b"XGEN"
PAT = bytes((k * 7 + 0x5A) & 0xFF for k in range(4096))	# xg_pattern(k)


def sock(addr):
    return socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)


def send(dst, port, count, rate, size, src=None):
    s = sock(dst)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    if src:
        s.bind((src, 0))
    s.connect((dst, port))
    tail = PAT[16:size]
    pack = struct.Struct("!4sIQ").pack
    burst = max(1, int(rate / 1000))
    retries = 0
    t0 = time.monotonic()
    for seq in range(count):
        if seq % burst == 0:
            wait = t0 + seq / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        p = pack(MAGIC, seq, time.monotonic_ns()) + tail
        for _ in range(10000):		# ENOBUFS: the qdisc is full for a moment; bounded
            try:
                s.send(p)
                break
            except OSError as e:
                if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                    raise
                retries += 1
                time.sleep(0.0005)
        else:
            print("gave up on datagram %d: ENOBUFS for 5 s" % seq, flush=True)
            return 1
    el = time.monotonic() - t0
    print(json.dumps({"sent": count, "seconds": round(el, 3), "pps": round(count / el), "enobufs_retries": retries}),
          flush=True)
    return 0


def recv(bind, port, count, secs, size, idle=0.0):
    s = sock(bind)
    try:			# beyond net.core.rmem_max (root): the stalls of a shared VM are absorbed
        s.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33), 32 << 20)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 << 20)
    s.bind((bind, port))
    s.settimeout(0.2)
    print("ready", flush=True)
    seen = bytearray(count)
    buf = bytearray(4096)
    mv = memoryview(buf)
    tail = PAT[16:size]
    unpack = struct.Struct("!I").unpack_from
    got = dup = bad = reorder = other = 0
    last = -1
    first_bad = ""
    t0 = t1 = None
    deadline = time.monotonic() + secs
    while got < count and time.monotonic() < deadline:
        try:
            n = s.recv_into(buf)
        except socket.timeout:
            if idle and t1 is not None and time.monotonic() - t1 > idle:
                break
            continue
        t1 = time.monotonic()
        if t0 is None:
            t0 = t1
        if n < 16 or buf[:4] != MAGIC:
            other += 1
            continue
        seq = unpack(buf, 4)[0]
        if n != size or mv[16:n] != tail or seq >= count:
            bad += 1
            if not first_bad:
                first_bad = "seq %d: %d bytes, expected %d" % (seq, n, size)
            continue
        if seen[seq]:
            dup += 1
            continue
        seen[seq] = 1
        got += 1
        if seq < last:
            reorder += 1
        else:
            last = seq
    el = t1 - t0 if t0 else 0.0		# first to last datagram
    print(json.dumps({"expected": count, "unique": got, "lost": count - got, "duplicates": dup, "corrupted": bad,
                      "reordered": reorder, "other": other, "first_corruption": first_bad, "seconds": round(el, 3),
                      "pps": round(got / el) if el else 0}), flush=True)
    return 0 if got == count and not dup and not bad else 1


def sample(pid):
    with open("/proc/%d/status" % pid) as f:
        st = dict(l.split(":", 1) for l in f if ":" in l)
    rss = int(st["VmRSS"].split()[0])
    thr = int(st["Threads"])
    fds = len(os.listdir("/proc/%d/fd" % pid))
    with open("/proc/%d/maps" % pid) as f:
        maps = sum(1 for _ in f)
    return rss, fds, maps, thr


def watch(pid, out, maxsecs=86400):
    t0 = time.monotonic()
    with open(out, "w") as f:
        while time.monotonic() - t0 < maxsecs:
            try:
                rss, fds, maps, thr = sample(pid)
            except (OSError, KeyError, ValueError):
                break			# the process ended (or is a zombie: no VmRSS)
            f.write("%.1f %d %d %d %d\n" % (time.monotonic() - t0, rss, fds, maps, thr))
            f.flush()
            # On the second, from the start: the samples stay one second apart however long a read takes.
            time.sleep(max(0.0, 1.0 - (time.monotonic() - t0) % 1.0))
    return 0


def flat(out, warmup, tol_rss, tol_fds, tol_maps):
    rows = [[float(x) for x in l.split()] for l in open(out) if l.strip()]
    after = [r for r in rows if r[0] >= warmup]
    res = {"samples": len(rows), "after_warmup": len(after)}
    bad = []
    if len(after) < 5:
        bad.append("only %d samples after the %g s warm-up" % (len(after), warmup))
    else:
        for i, name, tol in ((1, "rss_kb", tol_rss), (2, "fds", tol_fds), (3, "maps", tol_maps)):
            vals = [int(r[i]) for r in after]
            growth = max(vals) - vals[0]
            res[name] = {"first": vals[0], "min": min(vals), "max": max(vals), "last": vals[-1], "growth": growth,
                         "tolerance": tol}
            if growth > tol:
                bad.append("%s grew by %d after warm-up (%d -> max %d; tolerance %d)"
                           % (name, growth, vals[0], max(vals), tol))
        res["threads"] = sorted(set(int(r[4]) for r in after))
    res["problems"] = bad
    res["flat"] = not bad
    print(json.dumps(res), flush=True)
    return 0 if not bad else 1


def summary(path, kind, reason):
    lines = []
    for l in open(path):
        if l.startswith("{"):
            try:
                lines.append(json.loads(l))
            except ValueError:
                pass
    sums = [j for j in lines if j.get("type") == "summary"]
    if not sums:
        print("  no JSON summary line in %s" % path)
        return 1
    j, bad = sums[-1], []
    if j.get("reason") != reason:
        bad.append("reason %r, expected %r" % (j.get("reason"), reason))
    if j.get("drained") is not True:
        bad.append("drained is %r" % j.get("drained"))
    if len(j.get("directions", [])) != 2:
        bad.append("%d directions, expected 2" % len(j.get("directions", [])))
    for d in j.get("directions", []):
        name = "%s -> %s" % (d["from"], d["to"])
        kd = d.get("kernel_dropped", {})
        if kind == "fwd":
            drops = {"oversize": d["oversize"], "invalid": d["invalid"]}
            print("  %s: received %d = forwarded %d + oversize %d + invalid %d + held %d; accepted %d = sent %d + in flight %d;"
                  " kernel drops before the RX ring %s; tx_ring_full waits %d; adds_up %s"
                  % (name, d["received"], d["forwarded"], d["oversize"], d["invalid"], d["held"], d["accepted"],
                     d["sent"], d["in_flight"], kd, d.get("tx_ring_full", 0), d.get("adds_up")))
            if d["received"] != d["forwarded"] + d["oversize"] + d["invalid"] + d["held"]:
                bad.append("%s: received != forwarded + oversize + invalid + held" % name)
            if d["held"]:
                bad.append("%s: %d frames still held after the drain" % (name, d["held"]))
            if not d["forwarded"] == d["accepted"] == d["sent"] + d["in_flight"]:
                bad.append("%s: forwarded, accepted, sent + in flight differ" % name)
        else:
            drops = d["dropped"]
            print("  %s: received %d = delivered %d + dropped %s%s; adds_up %s"
                  % (name, d["received"], d["delivered"], drops,
                     "; delivered = sent %d + in flight %d" % (d["sent"], d["in_flight"]) if "sent" in d
                     else "; kernel drops before the RX ring %s" % kd, d.get("adds_up")))
            if d["received"] != d["delivered"] + sum(drops.values()):
                bad.append("%s: received != delivered + drops" % name)
            if "sent" in d and d["delivered"] != d["sent"] + d["in_flight"]:
                bad.append("%s: delivered != sent + in flight" % name)
        if d.get("in_flight"):
            bad.append("%s: %d frames in flight after the drain" % (name, d["in_flight"]))
        if d.get("adds_up") is not True:
            bad.append("%s: the bridge says adds_up %r" % (name, d.get("adds_up")))
        for k, v in list(drops.items()) + list(kd.items()):
            if v:
                bad.append("%s: %d frames dropped (%s) under capacity" % (name, v, k))
    if "xdp" in j:
        print("  xdp: %s" % j["xdp"])
    for b in bad:
        print("  MISMATCH: " + b)
    return 1 if bad else 0


def stalls(path):
    """Per-second stats lines (-i 1): the seconds in which the bridge or the kernel dropped, with the
    frames received in that second: a stall empties the rate, an overload does not."""
    prev, out = None, []
    for l in open(path):
        if not l.startswith("{"):
            continue
        try:
            j = json.loads(l)
        except ValueError:
            continue
        if j.get("type") != "stats":
            continue
        tops = j.get("ports") or j.get("directions") or []
        drops = sum(sum(v for v in t.get(k, {}).values()) for t in tops for k in ("dropped", "kernel_dropped"))
        rx = sum(t.get("rx", t.get("received", 0)) for t in tops)
        if prev is not None and drops > prev[0]:
            out.append("%.0f s: %d dropped, %d received" % (j["elapsed"], drops - prev[0], rx - prev[1]))
        prev = (drops, rx)
    print("; ".join(out) if out else "none")
    return 0


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "send" and len(argv) in (7, 8):
        return send(argv[2], int(argv[3]), int(argv[4]), float(argv[5]), int(argv[6]), argv[7] if len(argv) == 8 else None)
    if cmd == "recv" and len(argv) in (7, 8):
        return recv(argv[2], int(argv[3]), int(argv[4]), float(argv[5]), int(argv[6]),
                    float(argv[7]) if len(argv) == 8 else 0.0)
    if cmd == "watch" and len(argv) in (4, 5):
        return watch(int(argv[2]), argv[3], float(argv[4]) if len(argv) == 5 else 86400)
    if cmd == "summary" and len(argv) == 5:
        return summary(argv[2], argv[3], argv[4])
    if cmd == "stalls" and len(argv) == 3:
        return stalls(argv[2])
    if cmd == "flat" and len(argv) == 7:
        return flat(argv[2], float(argv[3]), int(argv[4]), int(argv[5]), int(argv[6]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
