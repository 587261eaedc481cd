#!/usr/bin/env python3
"""bench-echo: the cport echo server on each Linux backend against a raw
io_uring and a raw epoll echo server, all driven by the same echo client.

The server is pinned to CPU 0 and the client to CPU 1; each shape is run
in alternating rounds (cport io_uring, raw io_uring, cport epoll, raw
epoll, ...) and the median msgs/s of each server is compared:

  bench=echo shape=64x64Bxd1 backend=io_uring cport=N raw=N ratio=R

usage: bench-echo.py ECHO_SERVER ECHO_CLIENT RAW_EPOLL [RAW_URING]
       env BENCH_ROUNDS (default 3), BENCH_SECONDS (default 3)
"""
import os
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "scripts"))
from netutil import free_port, pin, stop, wait_listening  # noqa: E402

SHAPES = [(64, 64, 1), (64, 4096, 4), (1, 64, 1)]


def run_once(server_cmd, client, shape, seconds):
    port = free_port()
    srv = subprocess.Popen(pin(0) + server_cmd(port),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, srv)
        conns, size, depth = shape
        out = subprocess.run(
            pin(1) + [client, "--port", str(port), "--connections",
                          str(conns), "--size", str(size), "--depth",
                          str(depth), "--seconds", str(seconds),
                          "--backend", "epoll"],
            capture_output=True, text=True, timeout=seconds + 60)
        m = re.search(r"msgs_per_s=(\d+)", out.stdout)
        errs = re.search(r"errors=(\d+)", out.stdout)
        if out.returncode != 0 or not m or (errs and errs.group(1) != "0"):
            raise RuntimeError("client failed: " + out.stdout + out.stderr)
        return float(m.group(1))
    finally:
        stop(srv)


def main(argv):
    if len(argv) < 4:
        print(__doc__)
        return 2
    echo_server, client, raw_epoll = argv[1:4]
    raw_uring = argv[4] if len(argv) > 4 else None
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    seconds = float(os.environ.get("BENCH_SECONDS", "3"))

    servers = {
        ("io_uring", "cport"): lambda p: [echo_server, "--port", str(p),
                                          "--threads", "1", "--backend",
                                          "io_uring"],
        ("epoll", "cport"): lambda p: [echo_server, "--port", str(p),
                                       "--threads", "1", "--backend", "epoll"],
        ("epoll", "raw"): lambda p: [raw_epoll, str(p)],
    }
    if raw_uring:
        servers[("io_uring", "raw")] = lambda p: [raw_uring, str(p)]
    else:
        del servers[("io_uring", "cport")]

    order = [k for k in [("io_uring", "cport"), ("io_uring", "raw"),
                         ("epoll", "cport"), ("epoll", "raw")] if k in servers]
    worst = None
    for shape in SHAPES:
        results = {k: [] for k in order}
        for _ in range(rounds):
            for k in order:
                results[k].append(run_once(servers[k], client, shape, seconds))
        name = "%dx%dBxd%d" % shape
        for backend in ("io_uring", "epoll"):
            if (backend, "cport") not in results:
                continue
            c = statistics.median(results[(backend, "cport")])
            r = statistics.median(results[(backend, "raw")])
            ratio = c / r
            worst = ratio if worst is None else min(worst, ratio)
            print("bench=echo shape=%s backend=%s cport=%.0f raw=%.0f "
                  "unit=msgs/s ratio=%.2f runs=%d" %
                  (name, backend, c, r, ratio, rounds), flush=True)
    print("bench=echo worst_ratio=%.2f goal=0.95" % worst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
