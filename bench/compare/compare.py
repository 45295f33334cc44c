#!/usr/bin/env python3
"""compare.py: run routex-bench once per route server and write a comparison table.

Every server gets the same load (same universe, same feeds, same monitors) one after the
other on loopback; the harness ceiling (--server none: feeders straight into monitors) runs
in the same session so nobody mistakes the harness for the server. Writes, in a results
folder: runs.csv (one line per run, from routex-bench --csv), runs.jsonl, results.md (the
Markdown table, the exact command, the machine and commit) and, when gnuplot or matplotlib
is installed, converge.png.

Standard library only. Example (the project target):
  bench/compare/compare.py --servers routexd,bird --feeders 1 --monitors 4 --prefixes 1000000
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
ALL = ["none", "routexd", "bird", "gobgp", "frr", "openbgpd"]


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True,
                              timeout=20).stdout.strip()
    except (subprocess.SubprocessError, OSError):
        return ""


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": "%s x %d" % (cpu, os.cpu_count() or 0),
        "kernel": platform.release(),
        "load": sh("cut -d' ' -f1-3 /proc/loadavg"),
        "commit": sh("git -C %s rev-parse --short HEAD" % shlex.quote(REPO)),
        "dirty": bool(sh("git -C %s status --porcelain -- src include" % shlex.quote(REPO))),
        "versions": {
            "bird": sh("bird --version 2>&1"),
            "gobgp": sh("gobgpd --version 2>&1"),
            "frr": sh("/usr/lib/frr/bgpd --version 2>&1 | head -1"),
            "openbgpd": sh("bgpd -V 2>&1"),
        },
    }


def run_one(args, server, out, rep):
    label = server if args.repeat == 1 else "%s#%d" % (server, rep)
    cmd = [args.routex_bench, "--server", server, "--feeders", str(args.feeders),
           "--monitors", str(args.monitors), "--prefixes", str(args.prefixes),
           "--overlap", str(args.overlap), "--scenarios", args.scenarios,
           "--timeout", str(args.timeout), "--port", str(args.port),
           "--dir", os.path.join(args.rundir, "run-%s-%d" % (server, rep)),
           "--csv", os.path.join(out, "runs.csv"), "--json", "--label", label]
    if args.source:
        cmd += ["--source", args.source]
    if server == "routexd" and args.routexd:
        cmd += ["--bin", args.routexd]
    if args.routexctl:
        cmd += ["--ctl", args.routexctl]
    cmd += args.extra
    print("+ " + " ".join(shlex.quote(c) for c in cmd), file=sys.stderr, flush=True)
    limit = args.timeout * 8 + 300
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        print("  %s: no result after %d s" % (server, limit), file=sys.stderr)
        return None
    sys.stderr.write(p.stderr)
    res = None
    for line in p.stdout.splitlines():
        print("  " + line, file=sys.stderr)
        if line.startswith("{"):
            res = json.loads(line)
    if res is None:
        print("  %s: failed (exit %d)" % (server, p.returncode), file=sys.stderr)
        return None
    res["exit"] = p.returncode
    with open(os.path.join(out, "runs.jsonl"), "a") as f:
        f.write(json.dumps(res) + "\n")
    return res


def median_of(runs, key):
    vals = [r[key] for r in runs if r.get(key, -1) is not None and r.get(key, -1) >= 0]
    return statistics.median(vals) if vals else None


def fmt(v, unit="", digits=3):
    if v is None:
        return "-"
    return ("%." + str(digits) + "f%s") % (v, unit)


def ratio(v, base):
    if v is None or base is None or base <= 0:
        return "-"
    return "%.2fx" % (v / base)


def table(args, results, info, cmdline):
    rows = []
    base = results.get("routexd")
    b_conv = median_of(base, "converge_s") if base else None
    b_cpu = median_of(base, "converge_cpu_s") if base else None
    b_rss = median_of(base, "peak_rss_bytes") if base else None
    hdr = ("| server | converge (s) | prefixes/s | withdraw (s) | CPU converge (s) | "
           "CPU total (s) | peak RSS (MB) | converge vs routexd | CPU vs routexd | "
           "RSS vs routexd | verified | runs |")
    flap = any(median_of(r, "flap_up_s") is not None for r in results.values())
    if flap:
        hdr = hdr.replace("| withdraw (s) |", "| withdraw (s) | flap down/up (s) |")
    rows.append(hdr)
    rows.append("|" + "---|" * (13 if flap else 12))
    for server, runs in results.items():
        ok = [r for r in runs if r.get("converge_s", -1) >= 0]
        conv = median_of(runs, "converge_s")
        cpu = median_of(runs, "converge_cpu_s")
        rss = median_of(runs, "peak_rss_bytes")
        name = "harness ceiling (no server)" if server == "none" else server
        wd = fmt(median_of(runs, "withdraw_s"))
        if flap:
            wd += " | %s / %s" % (fmt(median_of(runs, "flap_down_s")),
                                  fmt(median_of(runs, "flap_up_s")))
        rows.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d/%d |" % (
            name, fmt(conv), fmt(median_of(runs, "rate"), "", 0),
            wd, fmt(cpu, "", 2),
            fmt(median_of(runs, "total_cpu_s"), "", 2),
            fmt(rss / 1048576 if rss else None, "", 1),
            "-" if server in ("routexd", "none") or not ok else ratio(conv, b_conv),
            "-" if server in ("routexd", "none") or not ok else ratio(cpu, b_cpu),
            "-" if server in ("routexd", "none") or not ok else ratio(rss, b_rss),
            "yes" if ok and all(r.get("verified") for r in ok) else
            "no (failed or over %d s per phase)" % args.timeout if not ok else "no",
            len(ok), len(runs)))
    v = info["versions"]
    lines = [
        "# Route server comparison (routex-bench)",
        "",
        "Load: %d feeder(s) x %d prefixes (overlap %.2f) -> %d monitor(s); scenarios %s; "
        "median of %d run(s)." % (args.feeders, args.prefixes, args.overlap, args.monitors,
                                  args.scenarios, args.repeat),
        "",
        "\n".join(rows),
        "",
        "Ratios are the server's figure divided by routexd's (above 1: routexd is better).",
        "CPU and RSS are the daemon's own (utime+stime and VmHWM from /proc, every thread and "
        "child process), independent of the harness. See docs/bench.md.",
        "",
        "- Command: `%s`" % cmdline,
        "- Machine: %s, Linux %s, load average at start %s" % (info["cpu"], info["kernel"],
                                                                info["load"]),
        "- routex commit: %s%s; %s" % (info["commit"],
                                       " (src/ or include/ modified in the tree)" if
                                       info["dirty"] else "", info["date"]),
        "- Daemons: %s; %s; %s; %s" % (v["bird"], v["gobgp"], v["frr"], v["openbgpd"]),
    ]
    if results.get("routexd") or results.get("bird"):
        src = next((r[0].get("source") for r in results.values() if r), "")
        lines.append("- Source: %s" % src)
    return "\n".join(lines) + "\n"


def plot(out, results):
    data = os.path.join(out, "converge.dat")
    names = []
    with open(data, "w") as f:
        for server, runs in results.items():
            conv = median_of(runs, "converge_s")
            cpu = median_of(runs, "converge_cpu_s")
            if conv is None:
                continue
            name = "ceiling" if server == "none" else server
            names.append(name)
            f.write("%s %.4f %.4f\n" % (name, conv, cpu if cpu is not None else 0))
    if not names:
        return None
    png = os.path.join(out, "converge.png")
    if shutil.which("gnuplot"):
        gp = ("set terminal pngcairo size 800,450 noenhanced\n"
              "set output '%s'\nset style data histograms\nset style fill solid 0.8\n"
              "set style histogram clustered gap 1\nset ylabel 'seconds'\n"
              "set title 'Initial convergence: wall time and server CPU time'\n"
              "set grid ytics\nset key top left\n"
              "plot '%s' using 2:xtic(1) title 'converge (s)', '' using 3 title "
              "'server CPU (s)'\n" % (png, data))
        r = subprocess.run(["gnuplot"], input=gp, text=True, capture_output=True)
        if r.returncode != 0:  # no cairo: the plain png terminal
            gp = gp.replace("pngcairo size 800,450 noenhanced", "png size 800,450")
            r = subprocess.run(["gnuplot"], input=gp, text=True, capture_output=True)
        return png if r.returncode == 0 else None
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    rows = [line.split() for line in open(data)]
    x = range(len(rows))
    plt.figure(figsize=(8, 4.5))
    plt.bar([i - 0.2 for i in x], [float(r[1]) for r in rows], 0.4, label="converge (s)")
    plt.bar([i + 0.2 for i in x], [float(r[2]) for r in rows], 0.4, label="server CPU (s)")
    plt.xticks(list(x), [r[0] for r in rows])
    plt.ylabel("seconds")
    plt.legend()
    plt.savefig(png)
    return png


def render(args):
    """Rewrites a results folder's table from its runs.jsonl (keeps the recorded command)."""
    out = args.render
    results = {}
    for line in open(os.path.join(out, "runs.jsonl")):
        r = json.loads(line)
        results.setdefault(r["server"], []).append(r)
    old = open(os.path.join(out, "results.md")).read() if os.path.exists(
        os.path.join(out, "results.md")) else ""
    keep = [l for l in old.splitlines() if l.startswith("- ")]
    first = next(iter(results.values()))[0]
    args.feeders, args.monitors = first["feeders"], first["monitors"]
    args.prefixes, args.overlap = first["prefixes"], first["overlap"]
    args.repeat = max(len(v) for v in results.values())
    args.timeout = args.timeout or 120
    sc = ["converge"]
    for key, name in (("flap_up_s", "flap"), ("withdraw_s", "withdraw")):
        if any(r.get(key, -1) >= 0 for v in results.values() for r in v):
            sc.append(name)
    args.scenarios = ",".join(sc)
    md = table(args, results, machine(), "")
    md = "\n".join(l for l in md.splitlines() if not l.startswith("- ")) + "\n"
    md += "\n".join(keep) + "\n"
    png = plot(out, results)
    if png:
        md += "\n![convergence](%s)\n" % os.path.basename(png)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(md)
    print(md)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--servers", default="none,routexd,bird,gobgp,frr,openbgpd")
    ap.add_argument("--feeders", type=int, default=1)
    ap.add_argument("--monitors", type=int, default=4)
    ap.add_argument("--prefixes", type=int, default=1000000)
    ap.add_argument("--overlap", type=float, default=0.5)
    ap.add_argument("--scenarios", default="converge,withdraw")
    ap.add_argument("--source", default="")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--timeout", type=int, default=120, help="per phase, seconds")
    ap.add_argument("--port", type=int, default=17900)
    ap.add_argument("--routex-bench", default=os.path.join(REPO, "build-bench", "bench",
                                                           "routex-bench"))
    ap.add_argument("--routexd", default=os.path.join(REPO, "build-bench", "src", "routexd"))
    ap.add_argument("--routexctl", default="")
    ap.add_argument("--routexd-commit", default="",
                    help="commit routexd was built from, when not this tree's HEAD")
    ap.add_argument("--out", default="")
    ap.add_argument("extra", nargs="*", help="passed to routex-bench after --")
    ap.add_argument("--render", default="",
                    help="only rewrite DIR/results.md (and the plot) from DIR/runs.jsonl")
    args = ap.parse_args()
    if args.render:
        return render(args)
    servers = [s for s in args.servers.split(",") if s]
    for s in servers:
        if s not in ALL:
            ap.error("unknown server %s" % s)
    out = args.out or os.path.join(HERE, "results",
                                    datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    os.makedirs(out, exist_ok=True)
    # Daemon configurations and logs (FRR's can be large) stay out of the results folder.
    args.rundir = "/tmp/routex-bench-compare.%d" % os.getpid()
    os.makedirs(args.rundir, exist_ok=True)
    cmdline = " ".join(shlex.quote(a) for a in [os.path.relpath(sys.argv[0], REPO)] +
                       sys.argv[1:])
    info = machine()
    if args.routexd_commit:
        info["commit"] = args.routexd_commit
        info["dirty"] = False
    results = {}
    for rep in range(args.repeat):
        for s in servers:  # interleaved, so drifting load hits every server alike
            r = run_one(args, s, out, rep)
            results.setdefault(s, []).append(r if r else {"converge_s": -1})
    md = table(args, results, info, cmdline)
    png = plot(out, results)
    if png:
        md += "\n![convergence](%s)\n" % os.path.basename(png)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(md)
    print(md)
    print("results in %s" % out, file=sys.stderr)


if __name__ == "__main__":
    main()
