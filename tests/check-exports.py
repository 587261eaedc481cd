#!/usr/bin/env python3
"""check-exports.py LIBRARY HEADER... - the dynamic symbols a shared
library exports are exactly the functions its headers declare (its public
headers, and for libcport the private interface of the Win32 layer,
src/linux/hooks.h).

Reads the declarations marked CPORT_API / CPORT_WIN32_API in the headers,
lists the library's defined dynamic symbols with nm, and fails if one
declared function is not exported (a missing CPORT_API, or a version
script that forgot it) or if anything else leaks out (a helper without
static or hidden visibility that the version script let through).
"""
import os
import subprocess
import sys

import pubapi

def declared(headers):
    # And the C library calls a header says its library provides (the
    # Win32 layer's BSD socket calls).
    return set(pubapi.declared_functions(headers)) | set(
        pubapi.provided_functions(headers))


def exported(lib, nm):
    out = subprocess.run([nm, "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3 or parts[1] == "A":  # version node names
            continue
        names.add(parts[2].split("@")[0])
    return names


def main(argv):
    nm = "nm"
    if argv and argv[0].startswith("--nm="):
        nm = argv.pop(0)[5:]
    lib, headers = argv[0], argv[1:]
    names = [os.path.basename(h) for h in headers]
    want = declared(headers)
    got = exported(lib, nm)
    missing = sorted(want - got)
    leaked = sorted(got - want)
    for n in missing:
        print(f"declared but not exported: {n}")
    for n in leaked:
        print(f"exported but not declared in {', '.join(names)}: {n}")
    print(f"{os.path.basename(lib)}: {len(got)} symbols exported, "
          f"{len(want)} declared in {', '.join(names)}")
    return 1 if missing or leaked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
