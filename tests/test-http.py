#!/usr/bin/env python3
"""End-to-end tests of examples/http-server with curl and raw sockets:
content and headers, traversal attempts that must never leak a file from
outside the root, malformed and oversized requests answered with errors
while the server keeps serving, 200 keep-alive requests on one
connection, and the idle timeout. Prints TAP.

usage: test-http.py BACKEND HTTP_SERVER [WRAPPER...]
"""
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "scripts"))
from netutil import free_port, stop, wait_listening  # noqa: E402

SECRET = b"TOP-SECRET-outside-the-root\n"


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def raw(port, data, timeout=10.0):
    """Send raw bytes, read until the server closes or stops talking."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
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


def status_of(port, data):
    r = parse_response(raw(port, data))
    check(r is not None, "no complete response to %r" % data[:60])
    return r[0], r[2]


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
    port = free_port()
    srv = subprocess.Popen(wrap + [server, "--port", str(port), "--root", root,
                                   "--threads", "2", "--timeout", "2",
                                   "--backend", backend],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
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
    ]

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

    failed = 0
    try:
        try:
            wait_listening(port, srv)
        except RuntimeError as e:
            out = srv.stdout.read() if srv.poll() is not None else b""
            print("Bail out! http-server did not start: %s %r" % (e, out))
            return 1
        print("1..%d" % len(tests))
        for i, fn in enumerate(tests, 1):
            try:
                fn()
                print("ok %d - %s" % (i, fn.__name__))
            except Exception as e:  # noqa: BLE001 - any failure is a failed test
                failed += 1
                print("not ok %d - %s" % (i, fn.__name__))
                print("# %s" % e)
            sys.stdout.flush()
    finally:
        stop(srv, signal.SIGINT)
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
