#!/usr/bin/env python3
"""End-to-end tests of examples/http-server with curl and raw sockets:
content and headers, traversal attempts that must never leak a file from
outside the root (dots plain and encoded, links out of the root, absolute
URLs), control bytes in the target, malformed, oversized and bad-method
requests answered with errors while the server keeps serving, 200
keep-alive requests on one connection, the idle timeout, a short slowloris
(heads trickled byte by byte are cut at --head-timeout while other clients
are served), the --max-conns cap, and --bind. Prints TAP; skips if the
backend is refused here. Bounded: about 20 s (more under Wine).

usage: test-http.py BACKEND HTTP_SERVER [WRAPPER...]
"""
import hashlib
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from taprun import Fail, Skip, check, run  # noqa: E402  (sets sys.path)
from netutil import free_port, spawn, stop, wait_listening  # noqa: E402

SECRET = b"TOP-SECRET-outside-the-root\n"
IDLE_S = 2       # --timeout of the main server
HEAD_S = 3       # --head-timeout of the main server


def raw(port, data, timeout=10.0, host="127.0.0.1"):
    """Send raw bytes, read until the server closes or stops talking."""
    s = socket.create_connection((host, port), timeout=timeout)
    s.sendall(data)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
            if parse_response(out, complete_only=True):
                break
    except socket.timeout:
        pass
    s.close()
    return out


def parse_response(buf, complete_only=False):
    """(status, headers, body, rest) if buf holds one whole response."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = buf[:end].decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.1 (\d{3}) ", head[0])
    if not m:
        raise Fail("bad status line %r" % head[0])
    headers = {}
    for line in head[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    body = buf[end + 4:end + 4 + n]
    if len(body) < n:
        return None
    return int(m.group(1)), headers, body, buf[end + 4 + n:]


def status_of(port, data, host="127.0.0.1"):
    r = parse_response(raw(port, data, host=host))
    check(r is not None, "no complete response to %r" % data[:60])
    return r[0], r[2]


def read_response(s):
    """Read one whole response from s: (status, headers, body, rest)."""
    buf = b""
    while True:
        r = parse_response(buf)
        if r:
            return r
        chunk = s.recv(65536)
        check(chunk, "closed before a whole response (%r)" % buf[:40])
        buf += chunk


def trickle(port, data, every, limit):
    """A slowloris client: send data one byte every `every` seconds, never
    finishing the head. Returns (seconds until the server closed, or None
    if it had not after `limit`; what the server sent)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=limit)
    t0 = time.time()
    got = b""
    i = 0
    try:
        while time.time() - t0 < limit:
            readable, _, _ = select.select([s], [], [], every)
            if readable:
                chunk = s.recv(4096)
                if not chunk:
                    return time.time() - t0, got
                got += chunk
                continue
            s.send(data[i:i + 1])
            i = (i + 1) % len(data)
    except OSError:
        return time.time() - t0, got  # reset: closed too
    finally:
        s.close()
    return None, got


def ipv6_loopback():
    """Whether this system has ::1 to listen on."""
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


def curl(*args):
    out = subprocess.run(["curl", "-s", "--max-time", "20"] + list(args),
                         capture_output=True, timeout=60)
    return out.stdout


def main(argv):
    backend, server = argv[1], argv[2]
    wrap = argv[3:]
    tmp = tempfile.mkdtemp(prefix="cport-http-")
    root = os.path.join(tmp, "www")
    os.makedirs(os.path.join(root, "sub"))
    with open(os.path.join(tmp, "secret.txt"), "wb") as f:
        f.write(SECRET)
    with open(os.path.join(root, "index.html"), "wb") as f:
        f.write(b"<h1>cport</h1>\n")
    with open(os.path.join(root, "sub", "style.css"), "wb") as f:
        f.write(b"body{}\n")
    big = os.urandom(1 << 20)
    with open(os.path.join(root, "big.bin"), "wb") as f:
        f.write(big)
    os.symlink(os.path.join(tmp, "secret.txt"), os.path.join(root, "leak.txt"))
    os.symlink(tmp, os.path.join(root, "up"))
    servers = []

    def start_server(p, *extra):
        """Start an http-server on the root, listening on port p."""
        proc = spawn(wrap + [server, "--port", str(p), "--root", root,
                             "--threads", "2", "--backend", backend] + list(extra))
        servers.append(proc)
        host = "127.0.0.1"
        if "--bind" in extra:
            host = extra[list(extra).index("--bind") + 1]
        wait_listening(p, proc, host=host)
        return proc

    port = free_port()
    tests = []

    def test(fn):
        tests.append(fn)
        return fn

    base = "http://127.0.0.1:%d" % port

    @test
    def serves_files_with_type_and_length():
        out = subprocess.run(["curl", "-s", "-i", base + "/"], capture_output=True,
                             timeout=60).stdout
        status, headers, body, _ = parse_response(out)
        check(status == 200, "status %d" % status)
        check(body == b"<h1>cport</h1>\n", "body %r" % body)
        check(headers["content-type"].startswith("text/html"), "type")
        check(headers["content-length"] == str(len(body)), "length")
        r = parse_response(raw(port, b"GET /sub/style.css HTTP/1.1\r\nHost: x\r\n\r\n"))
        check(r[0] == 200 and r[1]["content-type"] == "text/css", "css")
        got = curl(base + "/big.bin")
        check(hashlib.sha256(got).digest() == hashlib.sha256(big).digest(),
              "1 MiB file differs (%d bytes)" % len(got))

    @test
    def head_has_headers_and_no_body():
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"HEAD /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
        buf = b""
        while buf.count(b"HTTP/1.1") < 2 or not buf.endswith(b"</h1>\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
        s.close()
        end = buf.find(b"\r\n\r\n") + 4
        head = buf[:end].decode("latin-1")
        check(head.startswith("HTTP/1.1 200"), "HEAD status")
        check("Content-Length: %d\r\n" % (1 << 20) in head, "HEAD length")
        # HEAD carries no body: the next bytes are the next response.
        check(buf[end:].startswith(b"HTTP/1.1 200"), "HEAD sent a body")

    traversal = [
        b"/../secret.txt", b"/%2e%2e/secret.txt", b"/%2E%2E/secret.txt",
        b"/sub/../../secret.txt", b"/sub/%2e%2e/%2e%2e/secret.txt",
        b"/..%2fsecret.txt", b"/%2f..%2fsecret.txt", b"/sub/..%2f..%2fsecret.txt",
        b"/..\\secret.txt", b"/%5c..%5csecret.txt", b"/leak.txt",
        b"/up/secret.txt", b"/index.html%00.txt", b"//secret.txt",
        b"http://127.0.0.1/../secret.txt", b"/./../secret.txt", b"/.%2e/secret.txt",
        b"/" + os.path.join(tmp, "secret.txt").encode(),
        b"/%2e%2e%2fsecret.txt", b"/sub/%2E./secret.txt", b"/sub/.%2E/../secret.txt",
        b"/%252e%252e/secret.txt", b"/up/%2e%2e/secret.txt", b"/up/",
        b"HTTP://127.0.0.1/secret.txt", b"http://127.0.0.1/index.html",
        b"http://x/../../secret.txt", b"127.0.0.1:80", b"*",
        b"/index.html/../../secret.txt", b"/sub/..%5c..%5csecret.txt",
    ]

    # Control bytes, raw or percent-encoded, are never part of a name: a
    # raw NUL used to cut the path short ("/index.html\0/.." served the
    # file with 200).
    controls = [
        b"/index.html\x00/../../secret.txt", b"/index.html\x00", b"/ind\x01ex.html",
        b"/index.html\x1f", b"/index.html\x7f", b"/index\t.html", b"/index.html\x0b",
        b"/index.html?\x00", b"/index.html%00", b"/index.html%00/../../secret.txt",
        b"/ind%01ex.html", b"/index%0a.html", b"/index%0d%0a.html", b"/index.html%1f",
        b"/index.html%7f", b"/index.html%7F", b"/index.html%09",
    ]

    @test
    def control_bytes_in_the_target_are_refused():
        for target in controls:
            out = raw(port, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            check(SECRET not in out, "leaked via %r" % target)
            r = parse_response(out)
            check(r is not None and r[0] == 400,
                  "%r answered %r, want 400" % (target, out[:40]))
        # ... and in header values (a tab is allowed there)
        for value, want in [(b"a\x00b", 400), (b"a\x01b", 400), (b"a\x7fb", 400),
                            (b"a\nX: b", 400), (b"a\tb", 200)]:
            got, _ = status_of(port, b"GET / HTTP/1.1\r\nHost: x\r\nX: " + value +
                               b"\r\n\r\n")
            check(got == want, "header value %r -> %d, want %d" % (value, got, want))

    @test
    def traversal_never_leaks():
        for target in traversal:
            out = raw(port, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            check(SECRET not in out, "leaked via %r" % target)
            r = parse_response(out)
            check(r is not None and r[0] in (400, 404),
                  "%r answered %r" % (target, out[:40]))
            # and curl, which may normalise some of them itself
            got = curl("--path-as-is", base + target.decode("latin-1")) \
                if target.startswith(b"/") else b""
            check(SECRET not in got, "curl leaked via %r" % target)

    bad = [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        (b"GET / HTTP/0.9\r\n\r\n", 505),
        (b"GET /\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\n\r\n", 400),  # no Host
        (b"GET / HTTP/1.1\r\nHost x\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405),
        (b"DELETE /index.html HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", 413),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 9000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X: y\r\n" * 100 + b"\r\n", 431),
        (b"GET /" + b"a" * 2000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (b"GET /nope.html HTTP/1.1\r\nHost: x\r\n\r\n", 404),
        # bad methods: unknown, lower case (methods are case-sensitive), not
        # a token, too long
        (b"get / HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"TRACE / HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GETGETGETGETGETGET / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b" GET / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        # overlong lines: a request line, a header line past the head limit
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\nHost: " + b"h" * 8200 + b"\r\n\r\n", 431),
        # bare LF inside the head, a version with extra bytes
        (b"GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n", 400),
        (b"GET / HTTP/1.10\r\nHost: x\r\n\r\n", 400),
    ]

    @test
    def malformed_requests_get_errors_and_server_keeps_serving():
        for req, want in bad:
            got, body = status_of(port, req)
            check(got == want, "%r -> %d, want %d" % (req[:40], got, want))
            check(body.startswith(str(want).encode()), "small body for %d" % want)
            ok, _ = status_of(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            check(ok == 200, "server stopped serving after %r" % req[:40])

    @test
    def keep_alive_200_requests_on_one_connection():
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        buf = b""
        for i in range(200):
            path = b"/index.html" if i % 2 else b"/sub/style.css"
            s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            while True:
                r = parse_response(buf)
                if r:
                    break
                chunk = s.recv(65536)
                check(chunk, "connection closed at request %d" % i)
                buf += chunk
            status, headers, body, buf = r
            check(status == 200, "request %d: %d" % (i, status))
            check(headers["connection"] == "keep-alive", "not keep-alive")
            check(body == (b"<h1>cport</h1>\n" if i % 2 else b"body{}\n"), "body %d" % i)
        s.close()

    @test
    def idle_connections_are_closed():
        s = socket.create_connection(("127.0.0.1", port), timeout=15)
        t0 = time.time()
        data = s.recv(100)  # the server closes a silent client (timeout 2 s)
        waited = time.time() - t0
        s.close()
        check(data == b"", "got %r" % data)
        check(waited >= 1.5, "closed too early (%.1f s)" % waited)
        s = socket.create_connection(("127.0.0.1", port), timeout=15)
        s.sendall(b"GET / HTT")  # half a request, then nothing
        check(s.recv(100) == b"", "half request not timed out")
        s.close()

    @test
    def slowloris_heads_are_cut_at_the_head_deadline():
        # Heads trickled a byte every 0.4 s never let the idle limit (2 s)
        # fire; --head-timeout (3 s) closes them, with a 408, while a
        # normal client is served meanwhile.
        head = b"GET /index.html HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 4000
        limit = HEAD_S + 8
        results = [None] * 5

        def slow(k):
            results[k] = trickle(port, head, 0.4, limit)

        threads = [threading.Thread(target=slow, args=(k,)) for k in range(5)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        t0 = time.time()
        ok, body = status_of(port, b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
        took = time.time() - t0
        for t in threads:
            t.join()
        check(ok == 200 and body == b"<h1>cport</h1>\n", "normal client: %d" % ok)
        check(took < HEAD_S, "normal client waited %.1f s" % took)
        for k, (closed, got) in enumerate(results):
            check(closed is not None,
                  "slow client %d still open after %d s" % (k, limit))
            check(HEAD_S - 0.5 <= closed <= HEAD_S + 3,
                  "slow client %d closed after %.1f s (head deadline %d s)"
                  % (k, closed, HEAD_S))
            check(got == b"" or got.startswith(b"HTTP/1.1 408 "),
                  "slow client %d got %r" % (k, got[:40]))
        check(any(got.startswith(b"HTTP/1.1 408 ") for _, got in results),
              "no slow client was answered 408")

    @test
    def connection_cap_holds_new_clients_until_one_closes():
        cap_port = free_port()
        proc = start_server(cap_port, "--max-conns", "4", "--timeout", "30",
                            "--head-timeout", "30")
        get = b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
        held = []
        try:
            for _ in range(4):  # four served, kept alive, held open
                s = socket.create_connection(("127.0.0.1", cap_port), timeout=10)
                held.append(s)
                s.sendall(get)
                check(read_response(s)[0] == 200, "held connection not served")
            extra = socket.create_connection(("127.0.0.1", cap_port), timeout=10)
            held.append(extra)
            extra.sendall(get)
            extra.settimeout(1.5)
            try:
                data = extra.recv(100)
                raise Fail("a fifth connection was served over the cap: %r" % data)
            except socket.timeout:
                pass  # waiting in the backlog: back-pressure
            held.pop(0).close()
            extra.settimeout(10)
            t0 = time.time()
            check(read_response(extra)[0] == 200, "fifth not served")
            check(time.time() - t0 < 5, "fifth served only after %.1f s"
                  % (time.time() - t0))
            # Still capped: the four open ones are served, one more waits.
            for s in held:
                s.sendall(get)
                check(read_response(s)[0] == 200, "held connection not served")
        finally:
            for s in held:
                s.close()
            stop(proc, signal.SIGINT)

    @test
    def listens_on_loopback_by_default_and_where_bind_says():
        # The default is 127.0.0.1 only: 127.0.0.2, loopback too, is refused.
        try:
            socket.create_connection(("127.0.0.2", port), timeout=5).close()
            raise Fail("the default bind answers on 127.0.0.2")
        except ConnectionRefusedError:
            pass
        other = free_port()
        proc = start_server(other, "--bind", "127.0.0.2")
        try:
            got, _ = status_of(other, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                               host="127.0.0.2")
            check(got == 200, "--bind 127.0.0.2: %d" % got)
            try:
                socket.create_connection(("127.0.0.1", other), timeout=5).close()
                raise Fail("--bind 127.0.0.2 answers on 127.0.0.1")
            except ConnectionRefusedError:
                pass
        finally:
            stop(proc, signal.SIGINT)
        if not ipv6_loopback():
            raise Skip("no IPv6 loopback here (IPv4 --bind checked)")
        v6 = free_port("::1")
        proc = start_server(v6, "--bind", "::1")
        try:
            got, _ = status_of(v6, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", host="::1")
            check(got == 200, "--bind ::1: %d" % got)
        finally:
            stop(proc, signal.SIGINT)

    def start():
        start_server(port, "--timeout", str(IDLE_S),
                     "--head-timeout", str(HEAD_S))

    try:
        return run(tests, start)
    finally:
        for proc in servers:
            stop(proc, signal.SIGINT)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
