#!/usr/bin/env python3
"""bench-http: the HTTP file server example on each Linux backend against
nginx (1 worker, sendfile on, access log off, loopback only, a private
config), all driven by wrk in the same run, for a 4 KiB and a 1 MiB file.

Servers are pinned to CPU 0 and wrk to CPU 1; rounds alternate between the
servers and the medians of requests/s are compared:

  bench=http file=4KiB backend=io_uring cport=N nginx=N unit=req/s ratio=R

usage: bench-http.py HTTP_SERVER [BACKEND...]
  env BENCH_ROUNDS (3), BENCH_SECONDS (3), BENCH_CONNECTIONS (32)
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "scripts"))
from netutil import free_port, pin, stop, wait_listening  # noqa: E402

NGINX_CONF = """
user root;
worker_processes 1;
daemon off;
error_log {tmp}/error.log;
pid {tmp}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  types {{ application/octet-stream bin; }}
  server {{
    listen 127.0.0.1:{port};
    root {root};
  }}
}}
"""


def run_wrk(port, path, seconds, conns):
    out = subprocess.run(pin(1) + ["wrk", "-t1", "-c%d" % conns, "-d%ds" % seconds,
                                   "http://127.0.0.1:%d/%s" % (port, path)],
                         capture_output=True, text=True, timeout=seconds + 60)
    m = re.search(r"Requests/sec:\s+([\d.]+)", out.stdout)
    if not m or "Non-2xx" in out.stdout or "Socket errors" in out.stdout:
        raise RuntimeError("wrk failed:\n" + out.stdout + out.stderr)
    return float(m.group(1))


def start(cmd, port):
    p = subprocess.Popen(pin(0) + cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    wait_listening(port, p)
    return p


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    server = argv[1]
    backends = argv[2:] or ["io_uring", "epoll"]
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    seconds = int(os.environ.get("BENCH_SECONDS", "3"))
    conns = int(os.environ.get("BENCH_CONNECTIONS", "32"))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx) or not shutil.which("wrk"):
        print("bench=http skipped: nginx and wrk are needed "
              "(apt-get install nginx-light wrk)")
        return 0
    tmp = tempfile.mkdtemp(prefix="cport-bench-http-")
    root = os.path.join(tmp, "www")
    os.makedirs(root)
    files = {"4KiB": ("4k.bin", 4096), "1MiB": ("1m.bin", 1 << 20)}
    for name, size in files.values():
        with open(os.path.join(root, name), "wb") as f:
            f.write(os.urandom(size))
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        os.makedirs(os.path.join(tmp, d))

    def nginx_cmd(port):
        conf = os.path.join(tmp, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(tmp=tmp, port=port, root=root))
        return [nginx, "-c", conf, "-p", tmp]

    servers = [("cport", be) for be in backends] + [("nginx", None)]
    worst = None
    try:
        for label, (path, _) in files.items():
            results = {s: [] for s in servers}
            for _ in range(rounds):
                for s in servers:
                    port = free_port()
                    cmd = nginx_cmd(port) if s[0] == "nginx" else [
                        server, "--port", str(port), "--root", root,
                        "--threads", "1", "--backend", s[1]]
                    p = start(cmd, port)
                    try:
                        results[s].append(run_wrk(port, path, seconds, conns))
                    finally:
                        stop(p)
            base = statistics.median(results[("nginx", None)])
            for be in backends:
                c = statistics.median(results[("cport", be)])
                ratio = c / base
                worst = ratio if worst is None else min(worst, ratio)
                print("bench=http file=%s backend=%s cport=%.0f nginx=%.0f "
                      "unit=req/s ratio=%.2f runs=%d connections=%d" %
                      (label, be, c, base, ratio, rounds, conns), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("bench=http worst_ratio=%.2f goal=1.00" % worst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
