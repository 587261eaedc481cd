"""What the Python tests and benchmarks share: a free TCP port, waiting for
a server process to listen, stopping it, and pinning a command to a CPU.

Import it with the scripts folder on sys.path:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
"""
import os
import signal
import socket
import subprocess
import time


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_listening(port, proc, timeout=60.0):
    """Return once 127.0.0.1:port accepts a connection. Raises RuntimeError
    if proc exits first or nothing listens within timeout seconds (Wine's
    first start alone can take ten)."""
    deadline = time.time() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError("server exited early (status %d)" % proc.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            if time.time() > deadline:
                raise RuntimeError("server did not listen on port %d" % port)
            time.sleep(0.05)


def stop(proc, sig=signal.SIGTERM, timeout=10.0):
    """Ask proc to stop with sig; kill it if it has not within timeout."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def pin(cpu):
    """A taskset prefix running a command on one CPU (none on one CPU)."""
    return ["taskset", "-c", str(cpu)] if (os.cpu_count() or 1) > 1 else []
