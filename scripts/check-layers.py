#!/usr/bin/env python3
"""check-layers.py - the layering rule of docs/design.md §1, checked.

Every source file of the libraries has a layer. A file may include only
headers of its own layer or lower, and the files must call each other
without circles: the graph of "file A calls a function defined in file B"
has no cycle, except inside one backend's own files (ALLOWED below).

usage: check-layers.py SRC_DIR   (prints what breaks the rule; exit 1 if any)
"""
import os
import re
import sys

# path (relative to src/) -> layer. Headers take the layer of their .c.
LAYERS = {
    # shared by every platform
    "common/common.h": 0, "common/args.c": 0, "common/about.c": 0,
    "common/grave.h": 0, "common/grave.c": 0,
    # Linux
    "linux/sys.h": 0, "linux/lock.h": 0, "linux/op.h": 0, "linux/op.c": 0, "linux/queue.h": 0,
    "linux/queue.c": 0, "linux/lane.h": 0, "linux/timers.h": 0,
    "linux/timers.c": 0,
    "linux/pool.h": 0, "linux/pool.c": 0, "linux/backend.h": 0,
    "linux/fault.h": 0, "linux/fault.c": 0, "linux/trace.h": 0,
    "linux/trace.c": 0,
    "linux/dispatch.c": 1, "linux/port.h": 1, "linux/diag.h": 1,
    "linux/diag.c": 1, "linux/progress.c": 1.1,
    "linux/port.c": 1.2,
    "linux/handles.h": 2, "linux/handles.c": 2,
    "linux/engine.h": 3, "linux/engine.c": 3, "linux/engine-handle.c": 3.1,
    "linux/engine-sendbuf.c": 3.2,
    "linux/engine-diag.h": 3, "linux/engine-diag.c": 3,
    "linux/sockio.h": 4, "linux/sockio.c": 4, "linux/fileio.h": 4,
    "linux/fileio.c": 4,
    "linux/uring.h": 5, "linux/uring.c": 5, "linux/uring-ops.c": 5,
    "linux/uring-recv.c": 5, "linux/uring-rings.c": 5, "linux/epoll.c": 5,
    "linux/uring-accept.c": 5,
    "linux/api.c": 6, "linux/socket.c": 6,
    "linux/file.c": 6,
    "linux/hooks.h": 6, "linux/hooks.c": 6,
    # Windows
    "win/win.h": 0, "win/errors.c": 0, "win/handles.c": 0, "win/winsock.c": 0,
    "win/op.c": 1, "win/port.c": 2, "win/timers.c": 2, "win/diag.c": 2,
    "win/socket.c": 3,
    "win/file.c": 3,
    # the porting layer: above the Linux library
    "win32/win32.h": 7,
}
# Circles allowed: the files of one backend.
ALLOWED = [{"linux/uring.c", "linux/uring-ops.c", "linux/uring-recv.c",
            "linux/uring-accept.c", "linux/uring-rings.c"}]


def layer_of(path):
    if path in LAYERS:
        return LAYERS[path]
    if path.startswith("win32/"):
        return 7
    return None


def main(src):
    files = []
    for d in ("common", "linux", "win", "win32"):
        for f in sorted(os.listdir(os.path.join(src, d))):
            if f.endswith((".c", ".h")):
                files.append(d + "/" + f)
    bad = []
    for f in files:
        if layer_of(f) is None:
            bad.append("%s: no layer (add it to scripts/check-layers.py "
                       "and docs/design.md)" % f)
    # Includes.
    for f in files:
        text = open(os.path.join(src, f)).read()
        for inc in re.findall(r'^#\s*include\s+"([^"]+)"', text, re.M):
            target = os.path.normpath(os.path.join(os.path.dirname(f), inc))
            if target.startswith("../") or target.startswith("include/"):
                continue  # the public headers
            lf, lt = layer_of(f), layer_of(target)
            if lf is not None and lt is not None and int(lt) > int(lf):
                bad.append("%s (layer %s) includes %s (layer %s)"
                           % (f, int(lf), target, int(lt)))
    # Calls between files: who defines each internal function.
    defs = {}
    bodies = {}
    for f in files:
        if not f.endswith(".c"):
            continue
        text = open(os.path.join(src, f)).read()
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        bodies[f] = text
        for name in re.findall(r"^[a-zA-Z_][\w \*]*?\b(c[pP]_\w+|cport__\w+|w32_\w+)\s*\(",
                               text, re.M):
            defs.setdefault(name, f)
    edges = {f: set() for f in bodies}
    for f, text in bodies.items():
        for name in set(re.findall(r"\b(c[pP]_\w+|cport__\w+|w32_\w+)\s*\(", text)):
            g = defs.get(name)
            if g and g != f and os.path.dirname(g) == os.path.dirname(f):
                edges[f].add(g)
    # Strongly connected components (Tarjan).
    index, low, stack, on, sccs = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            sccs.append(comp)

    sys.setrecursionlimit(10000)
    for v in edges:
        if v not in index:
            visit(v)
    for comp in sccs:
        if len(comp) > 1 and not any(comp <= a for a in ALLOWED):
            bad.append("call circle: " + " <-> ".join(sorted(comp)))
    for b in bad:
        print("layers: " + b)
    print("layers: %d files, %s" % (len(files), "ok" if not bad else
                                    "%d problem(s)" % len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "src"))
