#!/usr/bin/env python3
"""cport-trace.py - read a cport completion trace ($CPORT_TRACE, or
cport_set_trace()) and print a summary, or a timeline.

  cport-trace.py TRACE                 summary
  cport-trace.py --timeline TRACE      every event, one line each
        [--fd N] [--op 0xADDR] [--key 0xKEY] [--limit N]
  cport-trace.py --faults TRACE        the faults injected, one line
                                       each in ticket order (diff two
                                       runs of one seed with it)
  cport-trace.py --check TRACE         exit 1 if cport broke a rule
                                       (an op completed twice, a dequeue
                                       of nothing); with --strict also
                                       if operations were outstanding
                                       at exit; with --leaks also if a
                                       socket stayed open over --leak-ms
                                       (1000) after an op of it failed
                                       or met the end, with no op since

The summary: operations by kind (started, completed, failed, inline,
held by the fault mode), latency percentiles from start to completion
and from completion to dequeue, the faults injected, operations still
outstanding at exit (started, never ended: the classic leak of an IOCP
server), sockets left open long after an op of theirs failed or met the end of
the stream, with no op since (the other classic leak), operations ended by
their port's close, completions never dequeued, and what would be a
cport bug: an operation completed twice,
a completion dequeued that never was queued.

The trace is read in file order, which is the order the events happened
in (one writer lock); the times come from each thread's clock read just
before, so neighbours may be a few microseconds out of order. The format
is described in docs/testing.md.
"""
import argparse
import collections
import os
import sys

EV_NAMES = {
    "O": "PORT OPEN", "Z": "PORT CLOSE", "S": "start", "F": "failed at call",
    "C": "completed", "I": "ended (no completion)", "H": "held",
    "J": "fault", "P": "post", "D": "dequeued", "X": "cancel", "K": "close",
}


class Rec:
    __slots__ = ("t", "tid", "ev", "port", "fd", "key", "op", "kind",
                 "bytes", "status", "ticket", "line")

    def __init__(self, fields, line):
        self.t = int(fields[0])
        self.tid = int(fields[1])
        self.ev = fields[2]
        self.port = int(fields[3])
        self.fd = int(fields[4])
        self.key = int(fields[5], 16)
        self.op = int(fields[6], 16)
        self.kind = fields[7]
        self.bytes = int(fields[8])
        self.status = fields[9]
        # The fault mode's ticket (absent without it).
        self.ticket = int(fields[10]) if len(fields) > 10 else None
        self.line = line


def read(path):
    """The records of a trace file, in file order; notes (# lines)."""
    recs, notes, bad = [], [], 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            if line.startswith("#"):
                notes.append(line[1:].strip())
                continue
            fields = line.split()
            try:
                recs.append(Rec(fields, n))
            except (ValueError, IndexError):
                bad += 1
    return recs, notes, bad


def pct(values, q):
    if not values:
        return 0.0
    values = sorted(values)
    i = min(len(values) - 1, int(q * len(values)))
    return values[i]


def us(ns):
    return ns / 1000.0


class Life:
    """What happened to one op (one start to its end)."""
    __slots__ = ("start", "end", "held")

    def __init__(self, start):
        self.start, self.end, self.held = start, None, None


def analyse(recs, leak_ms=1000):
    live = {}                              # (port, op) -> Life
    waiting = collections.defaultdict(collections.deque)  # (port, op) -> C/P
    by_kind = collections.OrderedDict()
    faults = collections.Counter()
    lat_done = collections.defaultdict(list)   # kind -> ns start->end
    lat_deq = collections.defaultdict(list)    # kind -> ns end->dequeue
    held_ns = []
    twice, orphan_deq, restarted = [], [], []
    closed_ended, posts, dequeues = [], 0, 0
    cancels = closes = 0
    leak_ns = leak_ms * 1000000
    ended = {}      # (port, fd) -> [the C that ended its connection, then
                    # the time it was dequeued]
    left_open = []  # (that C, ns it stayed open after, how it ended)
    closed = set()  # (port, fd) closed, no op started on the number since

    def stats(kind):
        if kind not in by_kind:
            by_kind[kind] = collections.Counter()
        return by_kind[kind]

    for r in recs:
        k = (r.port, r.op)
        if r.ev == "S":
            if k in live:
                restarted.append((live[k].start, r))
            live[k] = Life(r)
            stats(r.kind)["started"] += 1
            # The program goes on with the socket (or a new one has the
            # number): not left behind.
            ended.pop((r.port, r.fd), None)
            closed.discard((r.port, r.fd))
        elif r.ev in ("C", "I", "F"):
            life = live.pop(k, None)
            if r.fd >= 0 and (r.port, r.fd) not in closed and (
                    (r.status not in ("0", "ECANCELED", "ECLOSED")) or
                    (r.kind == "recv" and r.status == "0" and r.ev == "C"
                     and r.bytes == 0)):
                # Its op failed or met the end of the stream: the program
                # must go on with the socket (an op) or close it. The time
                # counts from when the program took the completion.
                ended[(r.port, r.fd)] = [r, r.t]
            if life is None and r.ev == "F":
                # Refused before it started (the fault mode's nobufs, an
                # unreachable port met at the call): no S before it.
                stats(r.kind)["failed at call"] += 1
                continue
            if life is None:
                twice.append(r)
                continue
            life.end = r
            s = stats(life.start.kind)
            if r.ev == "F":
                s["failed at call"] += 1
                continue
            s["completed"] += 1
            if r.status != "0":
                s["errors"] += 1
            if r.ev == "I":
                s["no completion"] += 1
            if r.status == "ECLOSED":
                closed_ended.append(life)  # (no latency: the close ended it)
            else:
                lat_done[life.start.kind].append(r.t - life.start.t)
            if life.held is not None:
                held_ns.append(r.t - life.held.t)
            if r.ev == "C":
                waiting[k].append(r)
        elif r.ev == "H":
            life = live.get(k)
            if life is not None:
                life.held = r
                stats(life.start.kind)["held"] += 1
        elif r.ev == "J":
            faults[r.kind] += 1
        elif r.ev == "P":
            posts += 1
            waiting[k].append(r)
        elif r.ev == "D":
            dequeues += 1
            q = waiting.get(k)
            if not q:
                orphan_deq.append(r)
                continue
            done = q.popleft()  # a completion (C) or a post (P)
            e = ended.get((done.port, done.fd))
            if e is not None and e[0] is done:
                e[1] = r.t  # the program had it from here
            lat_deq[done.kind].append(r.t - done.t)
        elif r.ev == "X":
            cancels += 1
        elif r.ev == "K":
            closes += 1
            closed.add((r.port, r.fd))  # its ops' ends to come say nothing
            e = ended.pop((r.port, r.fd), None)
            if e is not None and r.t - e[1] > leak_ns:
                left_open.append((e[0], r.t - e[1], "then closed"))
        elif r.ev == "Z":
            # The port closed: its handles' closes after it are not traced.
            for pk in [pk for pk in ended if pk[0] == r.port]:
                e = ended.pop(pk)
                if r.t - e[1] > leak_ns:
                    left_open.append((e[0], r.t - e[1],
                                      "open when its port closed"))
    never_dequeued = [c for q in waiting.values() for c in q]
    return {
        "by_kind": by_kind, "faults": faults, "lat_done": lat_done,
        "lat_deq": lat_deq, "held_ns": held_ns, "twice": twice,
        "orphan_deq": orphan_deq, "restarted": restarted,
        "outstanding": list(live.values()), "closed_ended": closed_ended,
        "never_dequeued": never_dequeued, "posts": posts,
        "dequeues": dequeues, "cancels": cancels, "closes": closes,
        "left_open": left_open + [
            (e[0], recs[-1].t - e[1], "still open at the end")
            for e in ended.values() if recs[-1].t - e[1] > leak_ns],
    }


def describe(r, t0):
    return ("+%.3fms tid=%d port=%d fd=%d op=0x%x key=0x%x %s %s bytes=%d "
            "status=%s" % ((r.t - t0) / 1e6, r.tid, r.port, r.fd, r.op, r.key,
                           r.kind, EV_NAMES.get(r.ev, r.ev), r.bytes,
                           r.status))


def summary(path, recs, notes, bad, a, out):
    t0 = recs[0].t if recs else 0
    span = (recs[-1].t - t0) / 1e9 if recs else 0
    ports = {r.port for r in recs}
    threads = {r.tid for r in recs}
    w = out.write
    w("cport-trace: %s: %d records, %d port(s), %d thread(s), %.3f s\n"
      % (path, len(recs), len(ports), len(threads), span))
    for n in notes:
        if n.startswith("port "):
            w("  %s\n" % n)
    if bad:
        w("  %d line(s) not understood\n" % bad)
    w("\noperations by kind:\n")
    cols = ["started", "completed", "errors", "failed at call",
            "no completion", "held"]
    w("  %-10s" % "kind" + "".join(" %14s" % c for c in cols) + "\n")
    for kind, s in a["by_kind"].items():
        w("  %-10s" % kind + "".join(" %14d" % s[c] for c in cols) + "\n")
    w("  posts %d, dequeues %d, cancels %d, closes %d\n"
      % (a["posts"], a["dequeues"], a["cancels"], a["closes"]))

    def table(title, lat):
        w("\n%s (us):\n" % title)
        w("  %-10s %9s %12s %12s %12s %12s\n"
          % ("kind", "count", "p50", "p90", "p99", "max"))
        for kind, v in lat.items():
            # (A space before every column: a long wait never runs into
            # its neighbour.)
            w("  %-10s %9d %12.1f %12.1f %12.1f %12.1f\n"
              % (kind, len(v), us(pct(v, .5)), us(pct(v, .9)),
                 us(pct(v, .99)), us(max(v))))
    table("latency start -> completion", a["lat_done"])
    table("latency completion -> dequeue", a["lat_deq"])
    if a["faults"] or a["held_ns"]:
        w("\nfaults injected: %s\n" % (", ".join(
            "%s=%d" % kv for kv in sorted(a["faults"].items())) or "none"))
        if a["held_ns"]:
            v = a["held_ns"]
            w("  completions held: %d, p50 %.1f us, max %.1f us\n"
              % (len(v), us(pct(v, .5)), us(max(v))))

    def listing(title, items, fmt, note=""):
        w("\n%s: %d%s\n" % (title, len(items), note))
        for it in items[:20]:
            w("  %s\n" % fmt(it))
        if len(items) > 20:
            w("  ... %d more\n" % (len(items) - 20))

    listing("outstanding at exit (started, never ended)", a["outstanding"],
            lambda l: describe(l.start, t0))
    listing("ended by their port's close (pending when it closed)",
            a["closed_ended"], lambda l: describe(l.start, t0))
    listing("completed, never dequeued", a["never_dequeued"],
            lambda r: describe(r, t0))
    listing("sockets left open over %d ms after an op failed or met the "
            "end of the stream, with no op since" % a["leak_ms"],
            a["left_open"],
            lambda e: "%s; open %.1f ms more, %s"
            % (describe(e[0], t0), e[1] / 1e6, e[2]),
            " (a leak: a socket the program forgot)"
            if a["left_open"] else "")
    listing("completed twice (a cport bug)", a["twice"],
            lambda r: describe(r, t0))
    listing("dequeued, never completed (a cport bug)", a["orphan_deq"],
            lambda r: describe(r, t0))
    listing("started again while in flight (a cport bug)", a["restarted"],
            lambda p: describe(p[1], t0))


def timeline(recs, args, out):
    t0 = recs[0].t if recs else 0
    n = 0
    for r in recs:
        if args.fd is not None and r.fd != args.fd:
            continue
        if args.op is not None and r.op != args.op:
            continue
        if args.key is not None and r.key != args.key:
            continue
        out.write(describe(r, t0) + "\n")
        n += 1
        if args.limit and n >= args.limit:
            break


def faults(recs, out):
    """The faults injected, in ticket order: the ticket, the kind of the
    op that took it (or `call` for a fault of a call with no op), the
    fault, its size and its status. Two runs of one seed that made the
    same calls print the same lines, whichever threads wrote them."""
    kinds = {}
    for r in recs:
        if r.ev == "S" and r.ticket is not None:
            kinds.setdefault((r.port, r.ticket), r.kind)
    rows = []
    for r in recs:
        if r.ev == "J":
            t = r.ticket if r.ticket is not None else -1
            rows.append((r.port, t, kinds.get((r.port, t), "call"), r.kind,
                         r.bytes, r.status))
    rows.sort(key=lambda x: (x[0], x[1]))
    for port, t, kind, fault, size, status in rows:
        out.write(f"port {port} ticket {t} {kind} {fault} {size} {status}\n")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("trace")
    ap.add_argument("--timeline", action="store_true")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--faults", action="store_true")
    ap.add_argument("--strict", action="store_true")
    ap.add_argument("--leaks", action="store_true")
    ap.add_argument("--leak-ms", type=int, default=1000)
    ap.add_argument("--fd", type=int)
    ap.add_argument("--op", type=lambda s: int(s, 16))
    ap.add_argument("--key", type=lambda s: int(s, 16))
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args(argv[1:])
    recs, notes, bad = read(args.trace)
    if args.timeline:
        timeline(recs, args, sys.stdout)
        return 0
    if args.faults:
        faults(recs, sys.stdout)
        return 0
    a = analyse(recs, args.leak_ms)
    a["leak_ms"] = args.leak_ms
    summary(args.trace, recs, notes, bad, a, sys.stdout)
    broken = a["twice"] or a["orphan_deq"] or a["restarted"]
    if args.check and broken:
        return 1
    if args.check and args.strict and a["outstanding"]:
        return 1
    if args.check and args.leaks and a["left_open"]:
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except BrokenPipeError:
        # The reader left (`| head`): no traceback, and none again when
        # Python flushes stdout on its way out.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
