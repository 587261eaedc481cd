"""What the Python tests and benchmarks share: a free TCP port, waiting for
a server process to listen (and telling a refused backend from a failure),
starting one with its output in a file and stopping it, reading a
process's memory, and pinning a command to a CPU.

Import it with the scripts folder on sys.path:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
"""
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

# What the examples say when the system refuses their backend (io_uring
# under a seccomp profile, say): "PROG: backend B is not available here:
# REASON", or win32-echo's "the completion port is not available here".
_REFUSED = re.compile(r"[^\n]*is not available here[^\n]*")


class BackendRefused(RuntimeError):
    """The server exited at start because its backend is refused here:
    the test skips (TAP "1..0 # SKIP", or exit status 77) with the reason."""


def free_port(host="127.0.0.1"):
    """A TCP port on host (127.0.0.1, or ::1) that nothing listens on now."""
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def spawn(cmd, **kw):
    """Start a server process with its stdout and stderr going to an
    unnamed temporary file; read them with output(proc). Not a pipe: Wine
    hands a program's descriptors on to its wineserver and helper
    processes, which can outlive the program by seconds, or for good, so a
    read of the pipe to its end may never return."""
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, **kw)
    proc.log = log
    return proc


def output(proc):
    """What a process started by spawn() has printed so far, as text."""
    log = getattr(proc, "log", None)
    if log is None:
        out = proc.stdout.read() if proc.stdout is not None else ""
        return out.decode("utf-8", "replace") if isinstance(out, bytes) \
            else (out or "")
    log.flush()
    log.seek(0)
    return log.read().decode("utf-8", "replace")


def _early_exit(proc):
    """The exception for a server that exited before listening: its output
    (if captured) says whether the backend was refused."""
    out = output(proc)
    m = _REFUSED.search(out)
    if m:
        return BackendRefused(m.group(0).strip())
    return RuntimeError("server exited early (status %d): %s"
                        % (proc.returncode, out.strip()[-500:]))


def wait_listening(port, proc, timeout=60.0, host="127.0.0.1"):
    """Return once host:port accepts a connection. Raises BackendRefused if
    proc exits first saying its backend is not available here,
    RuntimeError if it exits for another reason or nothing listens within
    timeout seconds (Wine's first start alone can take ten)."""
    deadline = time.time() + timeout
    while True:
        if proc.poll() is not None:
            raise _early_exit(proc)
        try:
            socket.create_connection((host, port), 0.2).close()
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


def rss_kib(pid):
    """Resident memory of a Linux process in KiB, or None where there is no
    /proc (the figure is the kernel's VmRSS)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def fd_count(pid):
    """Open descriptors of a Linux process, or None where there is no /proc."""
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return None
