#!/usr/bin/env python3
"""Sum the TAP results of meson test runs: one line per build directory
and backend, then the final line "N passed, N failed".

A test program that crashed or timed out counts every subtest it did not
report as failed; each process that wrote ThreadSanitizer reports into
<dir>/tsan-logs/ counts as one failure; one that skipped as a whole (a TAP program's
"1..0 # SKIP reason", or exit status 77 for the others: meson's SKIP)
counts as one skipped.
"""
import json
import os
import re
import sys


def count(entry):
    out = entry.get("stdout", "") or ""
    passed = failed = skipped = 0
    planned = None
    for line in out.splitlines():
        m = re.match(r"^1\.\.(\d+)", line)
        if m:
            planned = int(m.group(1))
        elif re.match(r"^not ok\b", line):
            failed += 1
        elif re.match(r"^ok\b", line):
            if re.search(r"#\s*skip", line, re.I):
                skipped += 1
            else:
                passed += 1
    result = entry.get("result")
    if result == "SKIP" and passed + failed == 0:
        return 0, 0, max(skipped, 1)
    if planned is None and passed + failed + skipped == 0:
        # Not a TAP program: one result for the whole run.
        if result == "SKIP":
            return 0, 0, 1
        return (1, 0, 0) if result == "OK" else (0, 1, 0)
    seen = passed + failed + skipped
    if planned is not None and seen < planned:
        failed += planned - seen
    if result not in ("OK", "SKIP", "EXPECTEDFAIL") and failed == 0:
        failed = 1
    return passed, failed, skipped


def main(dirs):
    total_p = total_f = total_s = 0
    for d in dirs:
        path = os.path.join(d, "meson-logs", "testlog.json")
        if not os.path.exists(path):
            print(f"{d}: no test log")
            total_f += 1
            continue
        per = {}
        for line in open(path):
            e = json.loads(line)
            # Tests are named <area>-<backend>.
            suite = e["name"].split(" / ")[-1].rsplit("-", 1)[-1]
            p, f, s = count(e)
            acc = per.setdefault(suite, [0, 0, 0, []])
            acc[0] += p
            acc[1] += f
            acc[2] += s
            if f:
                acc[3].append(e["name"].split(" / ")[-1])
        # ThreadSanitizer reports (scripts/test.sh has every process of a
        # sanitizer build write them there): each process with reports is
        # one failure, even if its test passed.
        logs = os.path.join(d, "tsan-logs")
        if os.path.isdir(logs):
            reports = sorted(os.listdir(logs))
            if reports:
                print(f"{os.path.basename(d)}: ThreadSanitizer reported in "
                      f"{len(reports)} process(es): {', '.join(reports)}")
                total_f += len(reports)
        for suite, (p, f, s, bad) in sorted(per.items()):
            note = f"  FAILED: {', '.join(bad)}" if bad else ""
            print(f"{os.path.basename(d)}/{suite}: {p} passed, {f} failed, "
                  f"{s} skipped{note}")
            total_p += p
            total_f += f
            total_s += s
    print(f"({total_s} skipped)")
    print(f"{total_p} passed, {total_f} failed")
    return 1 if total_f else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
