"""What the echo benchmarks share (bench-echo, bench-fair, bench-wine): the
servers they can start, one measured run of examples/echo-client against
a server with the server's CPU time, alternating rounds, and medians.

One run: start the server (optionally pinned), wait until it listens,
read the CPU time (utime + stime, all threads) of the server's processes,
run the client (which verifies every echoed byte), read the CPU time
again; CPU per message is the difference over the messages echoed.

Import it with the bench folder on sys.path.
"""
import os
import re
import resource
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "scripts"))
from netutil import (free_port, output, pin, spawn, stop,  # noqa: E402,F401
                     wait_listening)

NPROC = os.cpu_count() or 1
TICK = os.sysconf("SC_CLK_TCK")

# Where meson puts each program, relative to the build directory.
PROGRAMS = {
    "echo-server": "examples/echo-server",
    "echo-client": "examples/echo-client",
    "win32-echo": "examples/win32-echo",
    "raw-uring-echo": "bench/raw-uring-echo",
    "raw-epoll-echo": "bench/raw-epoll-echo",
    "uv-echo": "bench/uv-echo",
    "asio-echo": "bench/asio-echo",
}


class Server:
    """A contender: name, the program it needs, and how to start it with
    `threads` workers (None: the program's own default) on `port`."""

    def __init__(self, name, program, argv, env=None, threads=True):
        self.name = name
        self.program = program
        self.argv = argv          # f(path, port, threads) -> argv
        self.env = env or {}
        self.threads = threads    # takes a worker count

    def command(self, path, port, threads):
        return self.argv(path, port, threads)


def _cport(backend, skip=False):
    return lambda path, port, threads: (
        [path, "--port", str(port), "--backend", backend] +
        (["--threads", str(threads)] if threads else []) +
        (["--skip-on-success", "1"] if skip else []))


def _plain(path, port, threads):
    return [path, "--port", str(port)] + (
        ["--threads", str(threads)] if threads else [])


def _win32(path, port, threads):
    return [path, "--port", str(port)]  # workers: GetSystemInfo's CPU count


SERVERS = {s.name: s for s in [
    Server("cport-uring", "echo-server", _cport("io_uring")),
    Server("cport-epoll", "echo-server", _cport("epoll")),
    Server("cport-uring-skip", "echo-server", _cport("io_uring", True)),
    Server("cport-epoll-skip", "echo-server", _cport("epoll", True)),
    Server("raw-uring", "raw-uring-echo", _plain, threads=False),
    Server("raw-epoll", "raw-epoll-echo", _plain, threads=False),
    Server("uv", "uv-echo", _plain, threads=False),
    Server("asio", "asio-echo", _plain),
    Server("win32-uring", "win32-echo", _win32,
           env={"CPORT_BACKEND": "io_uring"}, threads=False),
    Server("win32-epoll", "win32-echo", _win32,
           env={"CPORT_BACKEND": "epoll"}, threads=False),
]}


def find_programs(build_dir):
    """Paths of the programs that exist in build_dir, by name."""
    found = {}
    for name, rel in PROGRAMS.items():
        p = os.path.join(build_dir, rel)
        if os.path.exists(p):
            found[name] = p
    return found


def raise_nofile():
    """Raise the soft descriptor limit to the hard one (children inherit
    it): a thousand connections need two thousand descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def cpu_seconds(pids):
    """utime + stime of each process in pids (all its threads), summed, in
    seconds. A process that is gone counts 0."""
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                rest = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(rest[11]) + int(rest[12])  # fields 14 and 15
    return total / TICK


def shape_name(shape):
    conns, size, depth = shape
    unit = "%dKiB" % (size // 1024) if size % 1024 == 0 else "%dB" % size
    return "%dx%sxd%d" % (conns, unit, depth)


FIELDS = ("msgs", "msgs_per_s", "p50_us", "p99_us", "p999_us", "errors",
          "fairness")


def run_client(client, port, shape, seconds, cpu=None):
    """Run echo-client once (on epoll, or the backend $BENCH_CLIENT_BACKEND
    names); its fields as numbers. Raises RuntimeError if it failed or saw
    a wrong byte."""
    conns, size, depth = shape
    cmd = (pin(cpu) if cpu is not None else []) + [
        client, "--port", str(port), "--connections", str(conns), "--size",
        str(size), "--depth", str(depth), "--seconds", str(seconds),
        "--backend", os.environ.get("BENCH_CLIENT_BACKEND", "epoll")]
    out = subprocess.run(cmd, capture_output=True, text=True,
                         timeout=seconds + 120)
    got = {}
    for k in FIELDS:
        m = re.search(r"\b%s=([\d.]+)" % k, out.stdout)
        if m:
            got[k] = float(m.group(1))
    if out.returncode != 0 or got.get("errors", 1) != 0 or "msgs" not in got:
        raise RuntimeError("client failed (status %d): %s %s" % (
            out.returncode, out.stdout.strip(), out.stderr.strip()[-800:]))
    return got


def measure(cmd, env, shape, client, seconds, server_cpu=None,
            client_cpu=None, cpu_pids=None):
    """One run of cmd (the server) under the client. cpu_pids(proc) gives
    the processes whose CPU time is the server's, asked before and after
    the client's run (default: the server's own process). Returns the
    client's fields plus cpu_us_per_msg."""
    port = free_port()
    full_env = dict(os.environ, **env)
    srv = spawn((pin(server_cpu) if server_cpu is not None else [])
                + cmd(port), env=full_env)
    try:
        try:
            wait_listening(port, srv)
            before = cpu_seconds(cpu_pids(srv) if cpu_pids else [srv.pid])
            got = run_client(client, port, shape, seconds, client_cpu)
            after = cpu_seconds(cpu_pids(srv) if cpu_pids else [srv.pid])
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            state = ("exited (status %d)" % srv.returncode
                     if srv.poll() is not None else "still ran")
            raise RuntimeError("%s; the server %s, its output: %s" % (
                e, state, output(srv)[-600:].strip()))
        got["cpu_us_per_msg"] = (after - before) * 1e6 / got["msgs"]
        return got
    finally:
        stop(srv)
        srv.log.close()


def rotated(items, r):
    """items in round-robin order for round r: each starts a round in turn."""
    k = r % len(items) if items else 0
    return items[k:] + items[:k]


def med(runs, key):
    return statistics.median(x[key] for x in runs)


def env_list(name, default):
    """A comma-separated selection from the environment, or default."""
    v = os.environ.get(name, "").strip()
    return [s.strip() for s in v.split(",") if s.strip()] if v else default
