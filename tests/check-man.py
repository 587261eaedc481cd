#!/usr/bin/env python3
"""check-man.py MAN_DIR HEADER... - the manual pages, as TAP: one page
per function the headers declare with CPORT_API, plus cport(7); each
renders with `man -l` without a single groff warning, has the sections a
reader expects, and a NAME line whatis can read (lexgrog).

Exits 77 (skipped) if man is not installed.
"""
import os
import re
import shutil
import subprocess
import sys

import pubapi

SECTIONS_3 = ["NAME", "SYNOPSIS", "DESCRIPTION", "RETURN VALUE", "ERRORS",
              "SEE ALSO"]
SECTIONS_7 = ["NAME", "SYNOPSIS", "DESCRIPTION", "FUNCTIONS", "ERRORS",
              "SEE ALSO"]


def check(man, lexgrog, path, sections):
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="")
    p = subprocess.run([man, "--warnings=all", "-E", "UTF-8", "-l", path],
                       capture_output=True, text=True, env=env)
    problems = []
    if p.returncode != 0:
        problems.append(f"man exited {p.returncode}")
    if p.stderr.strip():
        problems.append("groff: " + p.stderr.strip())
    shown = p.stdout
    for s in sections:
        if not re.search(rf"^{s}$", shown, re.M):
            problems.append(f"no {s} section")
    if "undocumented" in shown:
        problems.append("marked undocumented: the function has no comment")
    if lexgrog:
        g = subprocess.run([lexgrog, path], capture_output=True, text=True)
        if g.returncode != 0 or " - " not in g.stdout:
            problems.append("lexgrog cannot read the NAME line: " +
                            (g.stdout + g.stderr).strip())
    return problems


def main(argv):
    mandir, headers = argv[0], argv[1:]
    man = shutil.which("man")
    if man and os.path.exists(man + ".REAL"):
        man += ".REAL"  # a minimized Ubuntu image keeps the real one aside
    if not man or subprocess.run([man, "--version"], capture_output=True,
                                 text=True).returncode != 0:
        print("1..0 # SKIP man is not installed (apt-get install man-db)")
        return 77
    lexgrog = shutil.which("lexgrog")
    pages = [(f + ".3", SECTIONS_3)
             for f in pubapi.declared_functions(headers, "CPORT_API")]
    pages.append(("cport.7", SECTIONS_7))
    print(f"1..{len(pages)}")
    failed = 0
    for n, (page, sections) in enumerate(pages, 1):
        path = os.path.join(mandir, page)
        problems = ["no such page"] if not os.path.exists(path) else \
            check(man, lexgrog, path, sections)
        print(f"{'not ok' if problems else 'ok'} {n} - man -l {page}")
        for p in problems:
            print(f"# {p}")
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
