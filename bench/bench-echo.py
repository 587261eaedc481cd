#!/usr/bin/env python3
"""bench-echo: cport's echo servers against the strongest baselines, all
driven by the same examples/echo-client (which verifies every byte).

Contenders (BENCH_SERVERS selects, comma-separated):
  cport-uring, cport-epoll  examples/echo-server --backend io_uring|epoll
  cport-uring-skip,         the same with --skip-on-success 1: operations
  cport-epoll-skip          that finish inside their call continue in the
                            worker, nothing queued
  win32-uring, win32-epoll  examples/win32-echo (plain Win32 IOCP code on
                            cport_win32.h), CPORT_BACKEND=io_uring|epoll
  raw-uring                 bench/raw-uring-echo (best-practice io_uring)
  raw-epoll                 bench/raw-epoll-echo
  uv                        bench/uv-echo (libuv, one loop)
  asio                      bench/asio-echo (Boost.Asio, one io_context
                            run by N threads)

Modes (BENCH_MODES selects):
  pinned1  every server with one worker thread, pinned to CPU 0; the
           client pinned to CPU 1. win32-echo takes no worker count (its
           workers come from GetSystemInfo, as in the classic shape), so it
           is left out here.
  cpus     cport's servers and asio with as many workers as CPUs,
           win32-echo as it is, the single-threaded servers as they are;
           nothing pinned.

Shapes: 64 conns x 64 B depth 1, 64 x 4 KiB depth 4, 1 x 64 B depth 1.

Each shape runs BENCH_ROUNDS rounds (default 5) of BENCH_SECONDS (default
3) per server; a round runs every server once, in round-robin order (each
server starts a round in turn). The server's CPU time (utime + stime of
all its threads, /proc/PID/stat) is read right before and after the
client's run and divided by the messages echoed. Medians are printed, one
line per (mode, shape, server):

  bench=echo mode=M shape=S server=X msgs_per_s=N cpu_us_per_msg=C
    vs_raw_uring=R cpu_vs_raw_uring=Q paired_vs_raw_uring=R
    paired_cpu_vs_raw_uring=Q [the same four for raw_epoll] runs=K

vs_*: msgs/s over the baseline's (higher is better); cpu_vs_*: CPU per
message over the baseline's (lower is better); both ratios of the
medians. paired_vs_* and paired_cpu_vs_*: the same ratios taken round by
round (the two runs a few seconds apart) and their median, which cancels
most of what a shared host's changing speed does to both. Epoll-based cport servers
are also compared with raw epoll. Markdown tables follow.

usage: bench-echo.py BUILD_DIR
  env BENCH_ROUNDS, BENCH_SECONDS, BENCH_SERVERS, BENCH_MODES (pinned1,cpus)
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import echorun  # noqa: E402
from echorun import NPROC, SERVERS  # noqa: E402

SHAPES = [(64, 64, 1), (64, 4096, 4), (1, 64, 1)]

MODES = {
    "pinned1": dict(servers=["cport-uring", "raw-uring", "cport-epoll",
                             "raw-epoll", "cport-uring-skip",
                             "cport-epoll-skip", "uv", "asio"],
                    threads=lambda s: 1, server_cpu=0, client_cpu=1),
    "cpus": dict(servers=["cport-uring", "cport-epoll", "cport-uring-skip",
                          "cport-epoll-skip", "win32-uring",
                          "win32-epoll", "asio", "raw-uring", "raw-epoll",
                          "uv"],
                 threads=lambda s: NPROC, server_cpu=None, client_cpu=None),
}
EPOLL_PEERS = ("cport-epoll", "cport-epoll-skip", "win32-epoll")


def pick_servers(mode, progs):
    """The mode's contenders that can run here; prints why others cannot."""
    chosen = []
    for name in echorun.env_list("BENCH_SERVERS", MODES[mode]["servers"]):
        s = SERVERS.get(name)
        if s is None:
            print("bench=echo mode=%s server=%s skipped: unknown server "
                  "(known: %s)" % (mode, name, ",".join(SERVERS)))
        elif s.program not in progs:
            print("bench=echo mode=%s server=%s skipped: %s is not built "
                  "(see docs/benchmarks.md for its package)"
                  % (mode, name, s.program))
        elif mode == "pinned1" and s.program == "win32-echo":
            print("bench=echo mode=pinned1 server=%s skipped: win32-echo "
                  "takes no worker count" % name)
        else:
            chosen.append(s)
    return chosen


def ratio_fields(res, name, base, by_round):
    """vs_BASE and cpu_vs_BASE of server name, if base was measured: the
    ratios of the medians, then (paired_*) the medians of the ratios of
    the two servers' runs in the same round."""
    if base not in res or not res[base] or not res[name]:
        return ""
    b, s = res[base], res[name]
    tag = base.replace("-", "_")
    out = " vs_%s=%.2f cpu_vs_%s=%.2f" % (
        tag, echorun.med(s, "msgs_per_s") / echorun.med(b, "msgs_per_s"),
        tag, echorun.med(s, "cpu_us_per_msg") /
        echorun.med(b, "cpu_us_per_msg"))
    pairs = [(x, y) for x, y in zip(by_round[name], by_round[base])
             if x and y]
    if pairs:
        out += " paired_vs_%s=%.2f paired_cpu_vs_%s=%.2f" % (
            tag, statistics.median(x["msgs_per_s"] / y["msgs_per_s"]
                                   for x, y in pairs),
            tag, statistics.median(x["cpu_us_per_msg"] / y["cpu_us_per_msg"]
                                   for x, y in pairs))
    return out


def run_mode(mode, progs, rounds, seconds, table):
    cfg = MODES[mode]
    servers = pick_servers(mode, progs)
    failed = False
    for shape in SHAPES:
        res = {s.name: [] for s in servers}
        by_round = {s.name: [None] * rounds for s in servers}
        for r in range(rounds):
            for s in echorun.rotated(servers, r):
                threads = cfg["threads"](s) if s.threads else None
                cmd = (lambda p, s=s, t=threads:
                       s.command(progs[s.program], p, t))
                try:
                    got = echorun.measure(
                        cmd, s.env, shape, progs["echo-client"], seconds,
                        cfg["server_cpu"], cfg["client_cpu"])
                    res[s.name].append(got)
                    by_round[s.name][r] = got
                except RuntimeError as e:
                    failed = True
                    print("bench=echo mode=%s shape=%s server=%s round=%d "
                          "FAILED: %s" % (mode, echorun.shape_name(shape),
                                          s.name, r + 1, e), flush=True)
        for s in servers:
            runs = res[s.name]
            if not runs:
                continue
            line = ("bench=echo mode=%s shape=%s server=%s msgs_per_s=%.0f "
                    "cpu_us_per_msg=%.2f" % (
                        mode, echorun.shape_name(shape), s.name,
                        echorun.med(runs, "msgs_per_s"),
                        echorun.med(runs, "cpu_us_per_msg")))
            line += ratio_fields(res, s.name, "raw-uring", by_round)
            if s.name in EPOLL_PEERS:
                line += ratio_fields(res, s.name, "raw-epoll", by_round)
            print(line + " runs=%d" % len(runs), flush=True)
            table.append((mode, shape, s.name, runs, res))
    return failed


def print_tables(table):
    """The medians again as Markdown tables, one per mode, for the docs."""
    for mode in MODES:
        rows = [t for t in table if t[0] == mode]
        if not rows:
            continue
        print("\n%s:\n" % mode)
        print("| shape | server | msgs/s | CPU µs/msg | vs raw-uring "
              "(msgs/s, CPU) | vs raw-epoll (msgs/s, CPU) |")
        print("|---|---|---|---|---|---|")
        for _, shape, name, runs, res in rows:
            cells = []
            for base in ("raw-uring", "raw-epoll"):
                if (base in res and res[base] and base != name and
                        (base == "raw-uring" or name in EPOLL_PEERS)):
                    cells.append("%.2f, %.2f" % (
                        echorun.med(runs, "msgs_per_s") /
                        echorun.med(res[base], "msgs_per_s"),
                        echorun.med(runs, "cpu_us_per_msg") /
                        echorun.med(res[base], "cpu_us_per_msg")))
                else:
                    cells.append("")
            print("| %s | %s | %s | %.2f | %s | %s |" % (
                echorun.shape_name(shape), name,
                "{:,.0f}".format(echorun.med(runs, "msgs_per_s")),
                echorun.med(runs, "cpu_us_per_msg"), cells[0], cells[1]))


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    progs = echorun.find_programs(argv[1])
    if "echo-client" not in progs:
        print("bench=echo: no examples/echo-client in %s: build first" % argv[1])
        return 1
    echorun.raise_nofile()
    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    seconds = float(os.environ.get("BENCH_SECONDS", "3"))
    print("bench=echo cpus=%d rounds=%d seconds=%g" % (NPROC, rounds, seconds),
          flush=True)
    table = []
    failed = False
    for mode in echorun.env_list("BENCH_MODES", list(MODES)):
        if mode not in MODES:
            print("bench=echo mode=%s skipped: unknown mode" % mode)
            continue
        failed |= run_mode(mode, progs, rounds, seconds, table)
    print_tables(table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
