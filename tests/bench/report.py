#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Benchmark report: bench/results.md, bench/results.json, bench/mpps.png, bench/latency.png.

    python3 tests/bench/report.py [OUT_DIR [DEST_DIR]]     (default bench/out, bench)

Run by tests/bench/run.sh (`make bench`) at the end; reads only what that run left in OUT_DIR:
machine.txt, commands.txt, ring.txt + ring_cg.txt (ring_bench's tables), tx_rate.txt (tx_rate's
output), fwd.tsv (fwd.sh's table), rtt_PATH.txt (xdpsock-ping), rtt_PATH.json (xdpgen ping --json) and
tun.txt (tun.sh's output, when it is not older than machine.txt).  A part that is missing (skipped, not root, failed) is left out of the report, and said so.
Every ratio is value / reference of the same run.  The plots need gnuplot (pngcairo, else png).
"""
import json
import math
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "bench", "out")
DEST = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "bench")

CAVEAT = ("These are ratios between paths measured in the same run on a shared 2-core VM (veth, copy mode, "
          "one queue), not absolute truths: the absolute numbers move by 10-30 % from run to run with the "
          "host's load; compare the ratios.")

FWD_ORDER = ["xdpbridge", "devmap", "bridge", "testpmd"]
FWD_REF = "xdpbridge"


def read(name):
    try:
        with open(os.path.join(OUT, name)) as f:
            return f.read()
    except OSError:
        return None


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def ratio(v, ref):
    return round(v / ref, 3) if v is not None and ref else None


def fmt(v, nd=3):
    return "-" if v is None else f"{v:.{nd}f}"


def machine():
    m = {}
    for line in (read("machine.txt") or "").splitlines():
        k, sep, v = line.partition(":")
        if sep:
            m[k.strip()] = v.strip()
    return m


def ring():
    txt, cg = read("ring.txt"), read("ring_cg.txt")
    if not txt:
        return None
    rows = []
    for line in txt.splitlines():
        m = re.match(r"^(tx|rx\*?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", line)
        if m:
            rows.append({"dir": m[1], "batch": int(m[2]), "ns_per_frame": float(m[3]),
                         "ns_min": float(m[4]), "ns_max": float(m[5])})
    instr = {}
    for line in (cg or "").splitlines():
        m = re.match(r"^(tx|rx\*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s*$", line)
        if m:
            instr[(m[1], int(m[2]))] = float(m[5])
    ref = {r["dir"]: r for r in rows if r["batch"] == 1}
    for r in rows:
        r["ratio"] = ratio(r["ns_per_frame"], ref.get(r["dir"], {}).get("ns_per_frame"))
        r["instr_per_frame"] = instr.get((r["dir"], r["batch"]))
        r["instr_ratio"] = ratio(r["instr_per_frame"], instr.get((r["dir"], 1)))
    head = txt.splitlines()
    info = next((l for l in head if l.startswith("built with")), "")
    return {"what": "ring fast path on mock rings (tests/double/mock.c), 64-byte frames, no data touched; "
                    "ns/frame = median of 7 trials; instructions/frame under callgrind",
            "build": info, "reference": "batch 1 of the same direction", "rows": rows,
            "instructions": bool(instr)}


def tx_rate():
    txt = read("tx_rate.txt")
    if not txt:
        return None
    res = {"what": "TX of 64-byte UDP frames on a veth pair, batch 64, counted at the peer (rx_packets)",
           "reference": "AF_PACKET", "rows": []}
    reps = {"xdpsock": [], "AF_PACKET": []}
    for line in txt.splitlines():
        m = re.match(r"^\s*rep \d+\s+(xdpsock|AF_PACKET)\s+([\d.]+) Mpps", line)
        if m:
            reps[m[1]].append(float(m[2]))
    for key, label in (("xdpsock", "xdpsock (copy mode)"), ("AF_PACKET", "AF_PACKET sendmmsg")):
        m = re.search(re.escape(label) + r"\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", txt)
        if m:
            res["rows"].append({"path": key, "title": label, "mpps_min": float(m[1]), "mpps": float(m[2]),
                                "mpps_max": float(m[3]), "reps": reps[key]})
    ref = next((r["mpps"] for r in res["rows"] if r["path"] == "AF_PACKET"), None)
    for r in res["rows"]:
        r["ratio"] = ratio(r["mpps"], ref)
    m = re.search(r"ratio per repetition\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", txt)
    if m:
        res["ratio_per_rep"] = {"min": float(m[1]), "median": float(m[2]), "max": float(m[3])}
    return res if res["rows"] else None


def rtt_of(p):
    """Round-trip percentiles (us) of path p: xdpsock-ping's and xdpgen ping's."""
    r = {}
    txt = read(f"rtt_{p}.txt")
    if txt:
        m = re.search(r"rtt \(us\) over (\d+) replies: min ([\d.]+)\s+avg ([\d.]+)\s+p50 ([\d.]+)\s+p99 ([\d.]+)"
                      r"\s+max ([\d.]+)", txt)
        if m:
            r["xdpsock_ping"] = {"replies": int(m[1]), "min": float(m[2]), "avg": float(m[3]),
                                 "p50": float(m[4]), "p99": float(m[5]), "max": float(m[6])}
    js = read(f"rtt_{p}.json")
    if js:
        try:
            j = json.loads(js.strip().splitlines()[-1])
            h = j["rtt_us"]
            if h.get("count"):
                r["xdpgen_ping"] = {"sent": j["sent"], "received": j["received"], "lost": j["lost"],
                                    **{k: h[k] for k in ("min", "avg", "p50", "p90", "p99", "p99.9", "max")}}
        except (ValueError, KeyError, IndexError):
            pass
    return r


def forwarding():
    tsv = read("fwd.tsv")
    if not tsv:
        return None
    d, order, sizes = {}, [], []
    for line in tsv.splitlines():
        parts = line.split("\t")
        if len(parts) != 3:
            continue
        p, k, v = parts
        if p not in d:
            d[p] = {}
            order.append(p)
        d[p][k] = v
        m = re.match(r"mpps_(\d+)$", k)
        if m and int(m[1]) not in sizes:
            sizes.append(int(m[1]))
    overload_refused = d.pop("_", {}).get("overload_refused", "")
    order = [p for p in order if p != "_"]
    rows = []
    for p in order:
        r = {"path": p, "title": d[p].get("title", p), "note": d[p].get("note", ""), "mpps": {},
             "offered_mpps": {}, "generator_bound": {}}
        for s in sizes:
            v, o, g = (num(d[p].get(f"{k}_{s}")) for k in ("mpps", "offered", "gendrop"))
            r["mpps"][str(s)] = v
            r["offered_mpps"][str(s)] = o
            r["generator_bound"][str(s)] = bool(v is not None and o and v >= 0.97 * o and (g or 0) <= 0.01 * o)
        r["rtt_us"] = rtt_of(p)
        r["overload_mpps"] = num(d[p].get("overload_mpps"))
        r["overload_offered_mpps"] = num(d[p].get("overload_offered"))
        rows.append(r)
    ref = next((r for r in rows if r["path"] == FWD_REF), None)
    for r in rows:
        r["ratio"] = {s: ratio(v, ref["mpps"].get(s) if ref else None) for s, v in r["mpps"].items()}
        p50 = r["rtt_us"].get("xdpsock_ping", {}).get("p50")
        rp50 = ref["rtt_us"].get("xdpsock_ping", {}).get("p50") if ref else None
        r["rtt_p50_ratio"] = ratio(p50, rp50)
    settings = re.search(r"^fwd: *(.*)$", read("fwd.txt") or "", re.M)
    return {"what": "port-to-port forwarding fg0 -> [fp0 FORWARDER fp1] -> fs0 over veth, one queue, copy mode; "
                    "Mpps = median of the repetitions, counted at fs0; RTT = ping -> echo -> ping through the "
                    "forwarder twice, 2000 probes at 1000 pps",
            "source": "fwd_gen (tests/bench/fwd_gen.c): an AF_XDP copy-mode TX socket on fg0. On veth such a "
                      "source is throttled by the path it feeds (it offers what the path can take), so these rows "
                      "measure each path's capacity under a lossless source, not its behaviour under overload",
            "overload_source": "xdpgen tx --engine live (BPF_PROG_RUN with live frames: the path cannot throttle it)",
            "overload_refused": overload_refused,
            "settings": settings[1] if settings else "", "reference": FWD_REF, "sizes": sizes, "rows": rows}


# ---- plots ---------------------------------------------------------------------------------------

def gnuplot(script, out):
    if not shutil.which("gnuplot"):
        print("report: no gnuplot: no plots", file=sys.stderr)
        return False
    p = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if p.returncode:
        print("report: gnuplot failed:\n" + p.stderr, file=sys.stderr)
        try:
            os.unlink(out)	# no empty picture left behind
        except OSError:
            pass
    return p.returncode == 0


def terminal(w, h):
    t = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True)
    if "pngcairo" in t.stdout + t.stderr:
        return f"set terminal pngcairo size {w},{h} font 'sans,10' noenhanced"
    return f"set terminal png size {w},{h} noenhanced"


def plot_mpps(tx, fwd, date, path):
    bars = []	# (label, value, group)
    if tx:
        for r in tx["rows"]:
            bars.append((f"TX {r['path']}", r["mpps"], 0))
    if fwd and 64 in fwd["sizes"]:
        for r in fwd["rows"]:
            v = r["mpps"].get("64")
            if v is not None:
                bars.append((f"fwd 64B {r['path']}", v, 1))
    if not bars:
        return False
    dat = os.path.join(OUT, "mpps.dat")
    with open(dat, "w") as f:
        for i, (label, v, g) in enumerate(bars):
            f.write(f'{i} {v} {g} "{label}"\n')
    top = max(v for _, v, _ in bars) * 1.2
    return gnuplot(f"""{terminal(900, 500)}
set output '{path}'
set title "Mpps per path, 64-byte frames (median; same run, {date})\\nTX: sender to veth peer; fwd: generator -> forwarder -> sink"
set ylabel 'Mpps (higher is better)'
set yrange [0:{top}]
set style fill solid 0.8 border -1
set boxwidth 0.7
set grid ytics
set key off
set xtics rotate by -25 nomirror
set xrange [-0.6:{len(bars) - 0.4}]
set palette defined (0 '#4878a8', 1 '#e08040')
unset colorbox
plot '{dat}' using 1:2:3:xticlabels(4) with boxes lc palette, \\
     '' using 1:2:(sprintf('%.3f', $2)) with labels offset 0,0.8
""", path)


def plot_latency(fwd, date, path):
    if not fwd:
        return False
    # y = -log10(1 - fraction): stretches the tail (50 % -> 0.3, 90 % -> 1, 99 % -> 2, 99.9 % -> 3);
    # the max of n samples is drawn at fraction 1 - 1/n, the min at 0.
    def y(frac, n):
        return -math.log10(1 - min(frac, 1 - 1 / max(n, 2)))
    series = []
    for r in fwd["rows"]:
        rt = r["rtt_us"]
        if "xdpgen_ping" in rt:
            x = rt["xdpgen_ping"]
            n = x["received"]
            pts = [(x["min"], 0.0), (x["p50"], 0.5), (x["p90"], 0.9), (x["p99"], 0.99), (x["p99.9"], 0.999),
                   (x["max"], 1.0)]
            pts = [(v, y(f, n)) for v, f in pts]
            src = "xdpgen ping"
        elif "xdpsock_ping" in rt:
            x = rt["xdpsock_ping"]
            n = x["replies"]
            pts = [(v, y(f, n)) for v, f in ((x["min"], 0.0), (x["p50"], 0.5), (x["p99"], 0.99), (x["max"], 1.0))]
            src = "xdpsock-ping"
        else:
            continue
        series.append((r["path"], r["title"], src, pts))
    if not series:
        return False
    dat = os.path.join(OUT, "latency.dat")
    with open(dat, "w") as f:
        for p, title, src, pts in series:
            f.write(f"# {p}: {title} ({src})\n")
            for x, y in pts:
                f.write(f"{x} {y}\n")
            f.write("\n\n")
    plots = ", \\\n     ".join(f"'{dat}' index {i} using 1:2 with linespoints lw 2 pt 7 ps 0.8 title '{t}'"
                               for i, (_, t, _, _) in enumerate(series))
    src = sorted({s for _, _, s, _ in series})
    ymax = max(p[-1][1] for _, _, _, p in series)
    return gnuplot(f"""{terminal(900, 500)}
set output '{path}'
set title "Round trip through the forwarding paths (ping -> forwarder -> echo -> forwarder -> ping), {date}\\nCDF from the percentiles min/p50/p90/p99/p99.9/max of {', '.join(src)}, 2000 probes at 1000 pps"
set xlabel 'round-trip time (us, log scale)'
set ylabel 'fraction of probes <= x (tail stretched)'
set logscale x
set yrange [0:{max(ymax, 3) + 0.2}]
set ytics ("0" 0, "50%%" 0.30103, "80%%" 0.69897, "90%%" 1, "99%%" 2, "99.9%%" 3, "max" {ymax})
set grid xtics ytics mxtics
set key top left
plot {plots}
""", path)


# ---- the report ----------------------------------------------------------------------------------

def tun():
    """tun.sh's final table: its lines as printed, and the numbers per path."""
    try:
        if os.path.getmtime(os.path.join(OUT, "tun.txt")) < os.path.getmtime(os.path.join(OUT, "machine.txt")):
            return None     # from an earlier run
    except OSError:
        return None
    lines = (read("tun.txt") or "").splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("path ")), None)
    if start is None:
        return None
    table = lines[start:]
    cols = ["nic_tun_raw_mpps", "nic_tun_flow_mpps", "tun_nic_mmsg_mpps", "tun_nic_gso_mpps",
            "tcp_a_tun_gbps", "tcp_tun_a_gbps"]
    rows = {}
    for l in table[2:]:
        f = l.split()
        if not f or f[0].startswith("("):
            break
        vals = [num(x.rstrip("*")) for x in f[1:] if not x.startswith("(")][:len(cols)]
        rows[f[0]] = dict(zip(cols, vals))
    return {"table": table, "rows": rows}


def md_table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---:" if i else "---" for i in range(len(head))) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def main():
    m = machine()
    if not m:
        print(f"report: no {OUT}/machine.txt: run tests/bench/run.sh (make bench) first", file=sys.stderr)
        return 1
    date = m.get("date", "?")
    rg, tx, fw, tn = ring(), tx_rate(), forwarding(), tun()
    cmds = [l for l in (read("commands.txt") or "").splitlines() if l.strip()]
    # The build directory varies: show it once, commands relative to it.
    bdir = m.get("bench", "")
    if bdir:
        cmds = [c.replace(bdir + "/", "$O/") for c in cmds]

    res = {"date": date, "machine": m, "note": CAVEAT, "ring": rg, "tx_rate": tx, "forwarding": fw,
           "tun": tn["rows"] if tn else None, "commands": cmds, "build_dir": bdir}
    os.makedirs(DEST, exist_ok=True)
    with open(os.path.join(DEST, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")

    got_mpps = plot_mpps(tx, fw, date, os.path.join(DEST, "mpps.png"))
    got_lat = plot_latency(fw, date, os.path.join(DEST, "latency.png"))

    L = ["# xdpsock benchmarks", "",
         f"Produced by `make bench` (tests/bench/run.sh, then tests/bench/report.py) on {date}.", "",
         f"**{CAVEAT}**", "",
         md_table(["", ""], [["date", date], ["kernel", m.get("kernel", "?")], ["cpu", m.get("cpu", "?")],
                             ["os", m.get("os", "?")], ["compiler", m.get("compiler", "?")],
                             ["tree", m.get("tree", "?")], ["pinning", m.get("pinning", "?")],
                             ["load at start", m.get("load", "?")]]), ""]
    L += ["## 1. Ring fast path (ring_bench)", ""]
    if rg:
        L += [f"{rg['what']}. {rg['build']}. Ratio = value / batch 1 of the same direction "
              "(lower is better; rx* = RX with the default frame_count).", ""]
        L += [md_table(["dir", "batch", "ns/frame", "min-max", "ratio", "instr/frame", "ratio"],
                       [[r["dir"], r["batch"], fmt(r["ns_per_frame"], 2), f"{r['ns_min']:.2f}-{r['ns_max']:.2f}",
                         fmt(r["ratio"], 2), fmt(r["instr_per_frame"], 1), fmt(r["instr_ratio"], 2)]
                        for r in rg["rows"]]), ""]
        if not rg["instructions"]:
            L += ["(no instruction counts: valgrind is not installed)", ""]
    else:
        L += ["(not run)", ""]
    L += ["## 2. TX rate on veth (tx_rate)", ""]
    if tx:
        L += [f"{tx['what']}. Median of the repetitions; ratio = Mpps / AF_PACKET's (higher is better).", ""]
        L += [md_table(["path", "Mpps (median)", "min", "max", "ratio"],
                       [[r["title"], fmt(r["mpps"]), fmt(r["mpps_min"]), fmt(r["mpps_max"]), fmt(r["ratio"], 2)]
                        for r in tx["rows"]]), ""]
        if "ratio_per_rep" in tx:
            q = tx["ratio_per_rep"]
            L += [f"Ratio per back-to-back repetition: min {q['min']:.2f}, median {q['median']:.2f}, "
                  f"max {q['max']:.2f}.", ""]
    else:
        L += ["(not run: needs root)", ""]
    L += ["## 3. Forwarding (fwd.sh)", ""]
    if fw:
        L += [f"{fw['what']}" + (f" ({fw['settings']})" if fw["settings"] else "") + ". Ratio = value / xdpbridge fwd's (Mpps: higher is better; "
              "RTT: lower is better). `*`: generator-bound (the sink got >= 97 % of what was offered): "
              "the forwarder can do more.", "", f"**Source and regime:** {fw['source']}.", ""]
        head = ["path"]
        for s in fw["sizes"]:
            head += [f"{s} B Mpps", "ratio"]
        head += ["RTT p50 (us)", "RTT p99 (us)", "p50 ratio", "note"]
        rows = []
        for r in fw["rows"]:
            row = [r["title"]]
            for s in map(str, fw["sizes"]):
                v = r["mpps"].get(s)
                row += [fmt(v) + ("*" if r["generator_bound"].get(s) else ""), fmt(r["ratio"].get(s), 2)]
            x = r["rtt_us"].get("xdpsock_ping", {})
            row += [fmt(x.get("p50"), 1), fmt(x.get("p99"), 1), fmt(r["rtt_p50_ratio"], 2), r["note"]]
            rows.append(row)
        L += [md_table(head, rows), ""]
        if fw["overload_refused"]:
            L += [f"**Overload** (source: {fw['overload_source']}): not measured on this kernel: "
                  f"{fw['overload_refused']}. The rows above are the lossless regime only.", ""]
        elif any(r["overload_mpps"] is not None for r in fw["rows"]):
            L += [f"**Overload**, 64-byte frames (source: {fw['overload_source']}): Mpps delivered at fs0 while "
                  "the source offers more than the path takes.", "",
                  md_table(["path", "offered Mpps", "delivered Mpps"],
                           [[r["title"], fmt(r["overload_offered_mpps"]), fmt(r["overload_mpps"])]
                            for r in fw["rows"] if r["overload_mpps"] is not None]), ""]
        L += ["RTT above: xdpsock-ping. The same round trip measured again with "
              "`xdpgen ping --json` (log-linear histogram, buckets 3 % wide), the points of the CDF below:", ""]
        rows = []
        for r in fw["rows"]:
            x = r["rtt_us"].get("xdpgen_ping")
            if x:
                rows.append([r["title"], f"{x['received']}/{x['sent']}"] +
                            [fmt(x[k], 1) for k in ("min", "p50", "p90", "p99", "p99.9", "max")])
        L += [md_table(["path", "replies", "min", "p50", "p90", "p99", "p99.9", "max"], rows) if rows
              else "(no xdpgen ping results)", ""]
    else:
        L += ["(not run: needs root)", ""]
    L += ["## 4. NIC <-> TUN (tun.sh)", ""]
    if tn:
        L += ["xdpbridge tun against an AF_PACKET + TUN loop (tests/bench/afp_tun.c) and the kernel's own "
              "path, 64-byte packets and iperf3 TCP; the table as tun.sh printed it (ratios to xdpbridge):", "",
              "```"] + tn["table"] + ["```", ""]
    else:
        L += ["(not run: BENCH_NO_TUN, or needs root)", ""]
    L += ["## Figures", ""]
    L += ["![Mpps per path](mpps.png)" if got_mpps else "(no mpps.png)", ""]
    L += ["![Round-trip CDF](latency.png)" if got_lat else "(no latency.png)", ""]
    L += ["## Commands", "", f"`make bench` = `tests/bench/run.sh $O` with O = `{bdir or '?'}`; "
          "the commands it ran, in order:", "", "```"] + cmds + ["```", "",
          "Raw outputs: bench/out/ (results.txt, fwd.txt; not committed)."]
    with open(os.path.join(DEST, "results.md"), "w") as f:
        f.write("\n".join(L) + "\n")
    for n in ("results.md", "results.json") + (("mpps.png",) if got_mpps else ()) + \
             (("latency.png",) if got_lat else ()):
        print(f"report: {os.path.join(DEST, n)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
