"""Run a Python test program's test functions and report them as TAP, the
protocol `meson test` reads for the Python suites:

    1..N
    ok 1 - name
    not ok 2 - name
    # why it failed

A start-up that finds the backend refused (netutil.BackendRefused) skips
the whole program with "1..0 # SKIP reason" and status 0, which `meson
test` shows as SKIP; any other start-up failure is "Bail out!" (ERROR).
A test may skip itself with raise Skip("reason"): "ok N - name # SKIP".
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "scripts"))
from netutil import BackendRefused  # noqa: E402


class Fail(Exception):
    """A test's assertion did not hold."""


class Skip(Exception):
    """A test that cannot run here, with the reason."""


def note(text):
    """Print text as TAP comments: every line of it behind "# " (a line
    without it would be output TAP does not know)."""
    for line in str(text).splitlines() or [""]:
        print("# %s" % line)


def check(cond, what):
    if not cond:
        raise Fail(what)


def run(tests, start=None):
    """Call start() (may raise), then each test; print TAP. Returns the
    exit status: 0 if nothing failed (or everything skipped), else 1."""
    if start is not None:
        try:
            start()
        except BackendRefused as e:
            print("1..0 # SKIP %s" % e)
            return 0
        except Exception as e:  # noqa: BLE001 - any start-up failure
            print("Bail out! %s" % e)
            return 1
    print("1..%d" % len(tests))
    sys.stdout.flush()
    failed = 0
    for i, fn in enumerate(tests, 1):
        try:
            fn()
            print("ok %d - %s" % (i, fn.__name__))
        except Skip as e:
            print("ok %d - %s # SKIP %s" % (i, fn.__name__, e))
        except Exception as e:  # noqa: BLE001 - any failure is a failed test
            failed += 1
            print("not ok %d - %s" % (i, fn.__name__))
            for line in str(e).splitlines() or [type(e).__name__]:
                print("# %s" % line)
        sys.stdout.flush()
    return 1 if failed else 0
