#!/usr/bin/env python3
"""bench-wine: the same Win32 IOCP program, examples/win32-echo, built
for Windows with mingw-w64 and run under Wine, against its Linux build on
cport (io_uring and epoll), driven by the same examples/echo-client.

This is the question a porter asks: run the Windows binary under Wine, or
rebuild the source against cport_win32.h? Both servers run as they are
(worker threads: GetSystemInfo's CPU count), nothing pinned, for the
shapes of bench-echo, in BENCH_ROUNDS alternating rounds (default 5) of
BENCH_SECONDS (default 3); medians.

CPU per message counts every process of the server's side: for Wine,
every process of the benchmark's own Wine prefix (the program, the
wineserver that carries its I/O, and Wine's service processes), found by
WINEPREFIX in their environment; for cport, the server process. Each is
read right before and after the client's run.

  bench=wine shape=S server=X msgs_per_s=N cpu_us_per_msg=C
    [wins_by=F cpu_wins_by=G] runs=K

wins_by: cport's msgs/s over Wine's; cpu_wins_by: Wine's CPU per message
over cport's (both > 1 when cport wins). A Markdown table follows.

usage: bench-wine.py BUILD_DIR WIN_BUILD_DIR
  WIN_BUILD_DIR: a mingw-w64 build (meson setup build-win --cross-file
  scripts/cross/mingw64.txt ...) holding examples/win32-echo.exe
  env BENCH_ROUNDS, BENCH_SECONDS, BENCH_SERVERS (wine,win32-uring,
  win32-epoll), BENCH_WINEPREFIX (default: TMPDIR/cport-bench-wine-UID,
  created on first use)
Exits 77 (skipped) with the reason when wine or the Windows build is
missing.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import echorun  # noqa: E402
from echorun import SERVERS  # noqa: E402

SHAPES = [(64, 64, 1), (64, 4096, 4), (1, 64, 1)]
DEFAULT = ["wine", "win32-uring", "win32-epoll"]


def prefix_pids(prefix):
    """Processes whose environment names this Wine prefix."""
    want = b"WINEPREFIX=" + os.fsencode(prefix)
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/environ" % d, "rb") as f:
                if want in f.read().split(b"\0"):
                    pids.append(int(d))
        except OSError:
            continue
    return pids


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    build, win_build = argv[1], argv[2]
    exe = os.path.join(win_build, "examples", "win32-echo.exe")
    wine = shutil.which("wine")
    if wine is None or shutil.which("wineserver") is None:
        print("bench=wine skipped: wine is not installed (apt-get install "
              "wine wine64)")
        return 77
    if not os.path.exists(exe):
        print("bench=wine skipped: no %s; build it with: bash "
              "scripts/fetch-cmocka.sh; meson setup %s --cross-file "
              "scripts/cross/mingw64.txt -Dbenchmarks=false; ninja -C %s"
              % (exe, win_build, win_build))
        return 77
    progs = echorun.find_programs(build)
    if "echo-client" not in progs:
        print("bench=wine: no examples/echo-client in %s: build first" % build)
        return 1
    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    seconds = float(os.environ.get("BENCH_SECONDS", "3"))
    prefix = os.environ.get("BENCH_WINEPREFIX") or os.path.join(
        tempfile.gettempdir(), "cport-bench-wine-%d" % os.getuid())
    wenv = {"WINEPREFIX": prefix, "WINEDEBUG": "-all"}
    env = dict(os.environ, **wenv)
    # Make the prefix (slow the first time) and keep one wineserver for
    # the whole run, so no round pays for Wine's start.
    subprocess.run(["wineboot", "-i"], env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=600)
    subprocess.run(["wineserver", "-p"], env=env, timeout=60)

    servers = []
    for name in echorun.env_list("BENCH_SERVERS", DEFAULT):
        if name == "wine":
            servers.append(echorun.Server(
                "wine", None, lambda path, port, t: [wine, exe, "--port",
                                                     str(port)],
                env=wenv, threads=False))
        elif name in ("win32-uring", "win32-epoll") and \
                "win32-echo" in progs:
            servers.append(SERVERS[name])
        else:
            print("bench=wine server=%s skipped: unknown or not built" % name)
    print("bench=wine cpus=%d rounds=%d seconds=%g prefix=%s" % (
        echorun.NPROC, rounds, seconds, prefix), flush=True)

    failed = False
    rows = []
    try:
        for shape in SHAPES:
            res = {s.name: [] for s in servers}
            for r in range(rounds):
                for s in echorun.rotated(servers, r):
                    path = progs.get(s.program) if s.program else None
                    cmd = (lambda p, s=s, path=path: s.command(path, p, None))
                    pids = ((lambda proc: prefix_pids(prefix))
                            if s.name == "wine" else None)
                    try:
                        res[s.name].append(echorun.measure(
                            cmd, s.env, shape, progs["echo-client"], seconds,
                            cpu_pids=pids))
                    except RuntimeError as e:
                        failed = True
                        print("bench=wine shape=%s server=%s round=%d "
                              "FAILED: %s" % (echorun.shape_name(shape),
                                              s.name, r + 1, e), flush=True)
            for s in servers:
                runs = res[s.name]
                if not runs:
                    continue
                rate = echorun.med(runs, "msgs_per_s")
                cpu = echorun.med(runs, "cpu_us_per_msg")
                vs, cells = "", ("", "")
                if s.name != "wine" and res.get("wine"):
                    f = rate / echorun.med(res["wine"], "msgs_per_s")
                    g = echorun.med(res["wine"], "cpu_us_per_msg") / cpu
                    vs = " wins_by=%.1f cpu_wins_by=%.1f" % (f, g)
                    cells = ("%.1f" % f, "%.1f" % g)
                print("bench=wine shape=%s server=%s msgs_per_s=%.0f "
                      "cpu_us_per_msg=%.2f%s runs=%d" % (
                          echorun.shape_name(shape), s.name, rate, cpu, vs,
                          len(runs)), flush=True)
                rows.append((shape, s.name, rate, cpu) + cells)
    finally:
        subprocess.run(["wineserver", "-k"], env=env, timeout=60)
    print("\n| shape | server | msgs/s | CPU µs/msg | cport wins by "
          "(msgs/s) | cport wins by (CPU/msg) |")
    print("|---|---|---|---|---|---|")
    for shape, name, rate, cpu, f, g in rows:
        print("| %s | %s | %s | %.2f | %s | %s |" % (
            echorun.shape_name(shape), name, "{:,.0f}".format(rate), cpu,
            f + "x" if f else "", g + "x" if g else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
