#!/usr/bin/env python3
"""Smoke test of the examples: start echo-server, drive it with
echo-client for a couple of seconds, and pass only if the client verified
every byte (errors=0, msgs>0) and the server exited cleanly on request.
Exit status 77 (meson's SKIP) if the server's backend is refused here.

usage: echo-smoke.py BACKEND SERVER CLIENT [WRAPPER...]
  WRAPPER: a command to run the programs with (e.g. wine)
  env ECHO_SERVER_ARGS: more server flags (e.g. "--skip-on-success 1")
"""
import os
import re
import shlex
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "scripts"))
from netutil import (BackendRefused, free_port, output, spawn,  # noqa: E402
                     stop, wait_listening)


def main(argv):
    backend, server, client = argv[1:4]
    wrap = argv[4:]
    port = free_port()
    extra = shlex.split(os.environ.get("ECHO_SERVER_ARGS", ""))
    srv = spawn(wrap + [server, "--port", str(port), "--threads", "2",
                        "--backend", backend] + extra)
    try:
        try:
            wait_listening(port, srv)
        except BackendRefused as e:
            print("SKIP: %s" % e)
            return 77
        except RuntimeError as e:
            print(e)
            return 1
        out = subprocess.run(wrap + [client, "--port", str(port), "--connections",
                                     "16", "--size", "1000", "--depth", "2",
                                     "--seconds", "2", "--backend", backend],
                             capture_output=True, text=True, timeout=120)
        print(out.stdout.strip())
        if out.stderr.strip():
            print(out.stderr.strip())
        m = re.search(r"msgs=(\d+).*errors=(\d+)", out.stdout)
        ok = out.returncode == 0 and m and int(m.group(1)) > 0 and m.group(2) == "0"
        return 0 if ok else 1
    finally:
        stop(srv, signal.SIGINT)
        rest = output(srv)
        if rest:
            print(rest.strip())


if __name__ == "__main__":
    sys.exit(main(sys.argv))
