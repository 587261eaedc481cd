#!/usr/bin/env python3
"""bench-ab: two or more echo servers (builds, backends, settings) against
each other, in pairs, on a noisy machine.

Each round runs every server once under examples/echo-client (which
verifies every byte), in round-robin order (each server starts a round in
turn). A shared host slows and speeds up by 10% and more from one minute to
the next, so the medians of two servers' rounds can differ by that much
with nothing changed. Here each server is compared with the FIRST one
round by round: the ratio of their CPU per message (and of msgs/s) in the
same round, a few seconds apart, cancels what the host did to both. The
median of those ratios and how many rounds the server was lower tell a
real change from noise: a server 3% cheaper that was cheaper in 5 of 10
rounds is noise; in 10 of 10 it is not.

usage: bench-ab.py CLIENT SHAPE ROUNDS SECONDS NAME=COMMAND...
  CLIENT   path of examples/echo-client
  SHAPE    CONNSxSIZExDEPTH, e.g. 64x64x1
  COMMAND  the server's command line; {port} is replaced by the port
  env PIN=1 (default) pins servers to CPU 0 and the client to CPU 1;
      PIN=0 pins nothing.

Prints, per server: median msgs/s, median server CPU µs per message, and
against the first server: the median per-round CPU ratio, the median
per-round throughput ratio, and in how many rounds its CPU was lower.

example (an old and a new build, one worker each):
  bench/bench-ab.py build/examples/echo-client 64x64x1 10 2 \\
    "old=old/examples/echo-server --threads 1 --port {port}" \\
    "new=build/examples/echo-server --threads 1 --port {port}"
"""
import os
import shlex
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import echorun  # noqa: E402


def parse(argv):
    if len(argv) < 6:
        return None
    try:
        shape = tuple(int(x) for x in argv[2].split("x"))
        rounds, seconds = int(argv[3]), float(argv[4])
    except ValueError:
        return None
    servers = []
    for arg in argv[5:]:
        name, sep, cmd = arg.partition("=")
        if not sep or not name or "{port}" not in cmd:
            return None
        servers.append((name, cmd))
    if len(shape) != 3 or rounds < 1 or seconds <= 0:
        return None
    return argv[1], shape, rounds, seconds, servers


def main(argv):
    args = parse(argv)
    if args is None:
        print(__doc__)
        return 2
    client, shape, rounds, seconds, servers = args
    pin = os.environ.get("PIN", "1") == "1"
    echorun.raise_nofile()
    runs = {name: [] for name, _ in servers}
    for r in range(rounds):
        row = {}
        for name, cmd in echorun.rotated(servers, r):
            argv_of = (lambda port, c=cmd:
                       shlex.split(c.replace("{port}", str(port))))
            try:
                row[name] = echorun.measure(argv_of, {}, shape, client,
                                            seconds, 0 if pin else None,
                                            1 if pin else None)
            except RuntimeError as e:
                print("bench=ab round=%d server=%s FAILED: %s" % (r + 1, name,
                                                                  e))
                row[name] = None
        for name, _ in servers:
            runs[name].append(row[name])
    base = servers[0][0]
    print("bench=ab shape=%s rounds=%d seconds=%g pinned=%d" % (
        echorun.shape_name(shape), rounds, seconds, pin))
    for name, _ in servers:
        pairs = [(a, b) for a, b in zip(runs[name], runs[base]) if a and b]
        if not pairs:
            print("bench=ab server=%s: no run finished" % name)
            continue
        mine = [a for a, _ in pairs]
        print("bench=ab server=%s msgs_per_s=%.0f cpu_us_per_msg=%.2f "
              "cpu_vs_%s=%.3f msgs_vs_%s=%.3f cpu_lower_in=%d/%d" % (
                  name, echorun.med(mine, "msgs_per_s"),
                  echorun.med(mine, "cpu_us_per_msg"), base,
                  statistics.median(a["cpu_us_per_msg"] / b["cpu_us_per_msg"]
                                    for a, b in pairs), base,
                  statistics.median(a["msgs_per_s"] / b["msgs_per_s"]
                                    for a, b in pairs),
                  sum(1 for a, b in pairs
                      if a["cpu_us_per_msg"] < b["cpu_us_per_msg"]),
                  len(pairs)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
