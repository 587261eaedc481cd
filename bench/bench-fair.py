#!/usr/bin/env python3
"""bench-fair: latency under load and fairness between connections, for
cport's echo server on each backend and the raw io_uring and epoll
servers, all at the same load (the same echo-client settings).

Shapes: 1,000 connections x 64 KiB messages, depth 4 (256 MiB in flight:
every server is saturated, the question is who waits), and 64
connections x 64 B, depth 1. Every server runs one worker thread pinned to
CPU 0, the client is pinned to CPU 1 (as bench-echo's pinned1 mode). The
descriptor limit is raised to the hard limit first.

Per (shape, server), medians over BENCH_ROUNDS alternating rounds
(default 5) of BENCH_SECONDS (default 5):

  bench=fair shape=S server=X msgs_per_s=N p50_us=A p99_us=B p999_us=C
    fairness=J cpu_us_per_msg=U p99_vs_raw=R runs=K

Latency is from a message's send to the last byte of its echo, over every
message of every connection. fairness is Jain's index over the messages
each connection got echoed (1.0: all the same). p99_vs_raw: cport's p99
over the raw server's of the same backend (lower is better). A Markdown
table follows.

usage: bench-fair.py BUILD_DIR
  env BENCH_ROUNDS, BENCH_SECONDS, BENCH_SERVERS (default
  cport-uring,raw-uring,cport-epoll,raw-epoll; uv and asio also work)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import echorun  # noqa: E402
from echorun import SERVERS  # noqa: E402

SHAPES = [(1000, 65536, 4), (64, 64, 1)]
DEFAULT = ["cport-uring", "raw-uring", "cport-epoll", "raw-epoll"]
RAW_OF = {"cport-uring": "raw-uring", "cport-epoll": "raw-epoll"}
KEYS = ("msgs_per_s", "p50_us", "p99_us", "p999_us", "fairness",
        "cpu_us_per_msg")


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    progs = echorun.find_programs(argv[1])
    if "echo-client" not in progs:
        print("bench=fair: no examples/echo-client in %s: build first" % argv[1])
        return 1
    nofile = echorun.raise_nofile()
    need = 2 * max(s[0] for s in SHAPES) + 64
    if nofile < need:
        print("bench=fair: the descriptor limit is %d, %d are needed "
              "(ulimit -Hn)" % (nofile, need))
        return 77
    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    seconds = float(os.environ.get("BENCH_SECONDS", "5"))
    servers = []
    for name in echorun.env_list("BENCH_SERVERS", DEFAULT):
        s = SERVERS.get(name)
        if s is None or s.program not in progs or s.program == "win32-echo":
            print("bench=fair server=%s skipped: %s" % (
                name, "unknown" if s is None else
                "takes no worker count" if s.program == "win32-echo" else
                "%s is not built" % s.program))
        else:
            servers.append(s)
    print("bench=fair rounds=%d seconds=%g nofile=%d" % (rounds, seconds,
                                                          nofile), flush=True)
    failed = False
    rows = []
    for shape in SHAPES:
        res = {s.name: [] for s in servers}
        for r in range(rounds):
            for s in echorun.rotated(servers, r):
                cmd = (lambda p, s=s: s.command(
                    progs[s.program], p, 1 if s.threads else None))
                try:
                    res[s.name].append(echorun.measure(
                        cmd, s.env, shape, progs["echo-client"], seconds,
                        server_cpu=0, client_cpu=1))
                except RuntimeError as e:
                    failed = True
                    print("bench=fair shape=%s server=%s round=%d FAILED: %s"
                          % (echorun.shape_name(shape), s.name, r + 1, e),
                          flush=True)
        for s in servers:
            runs = res[s.name]
            if not runs:
                continue
            m = {k: echorun.med(runs, k) for k in KEYS}
            raw = RAW_OF.get(s.name)
            vs = ""
            if raw in res and res[raw]:
                m["p99_vs_raw"] = m["p99_us"] / echorun.med(res[raw], "p99_us")
                vs = " p99_vs_raw=%.2f" % m["p99_vs_raw"]
            print("bench=fair shape=%s server=%s msgs_per_s=%.0f p50_us=%.0f "
                  "p99_us=%.0f p999_us=%.0f fairness=%.3f cpu_us_per_msg=%.2f"
                  "%s runs=%d" % (echorun.shape_name(shape), s.name,
                                  m["msgs_per_s"], m["p50_us"], m["p99_us"],
                                  m["p999_us"], m["fairness"],
                                  m["cpu_us_per_msg"], vs, len(runs)),
                  flush=True)
            rows.append((shape, s.name, m))
    print("\n| shape | server | msgs/s | p50 µs | p99 µs | p99.9 µs | "
          "fairness | CPU µs/msg | p99 vs raw |")
    print("|---|---|---|---|---|---|---|---|---|")
    for shape, name, m in rows:
        print("| %s | %s | %s | %s | %s | %s | %.3f | %.2f | %s |" % (
            echorun.shape_name(shape), name,
            "{:,.0f}".format(m["msgs_per_s"]), "{:,.0f}".format(m["p50_us"]),
            "{:,.0f}".format(m["p99_us"]), "{:,.0f}".format(m["p999_us"]),
            m["fairness"], m["cpu_us_per_msg"],
            "%.2f" % m["p99_vs_raw"] if "p99_vs_raw" in m else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
