#!/usr/bin/env python3
"""check-doxygen.py SOURCE_ROOT OUT_DIR HEADER... - the API reference is
complete, as TAP.

Runs doxygen on docs/Doxyfile (warnings are errors there: anything public
left undocumented fails), writing into OUT_DIR, then reads the XML it
produced and checks what a reader needs to find: every function declared
with CPORT_API with a brief, its parameters and its return value; every
error code of CPORT_ERRNO_MAP; every field of cport_options_t; the
CPORT_FILE_* values without comments inside them; no internal helper
macro; and the Markdown documents the README links to.

Exits 77 (skipped) if doxygen is not installed.
"""
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pubapi

results = []


def report(ok, name, detail=""):
    results.append(ok)
    print(f"{'ok' if ok else 'not ok'} {len(results)} - {name}")
    if not ok:
        for line in detail.strip().splitlines()[:60]:
            print(f"# {line}")


def text(node):
    return "".join(node.itertext()).strip() if node is not None else ""


def load_members(xml_dir):
    members = {}
    for name in os.listdir(xml_dir):
        if not name.endswith(".xml") or name == "index.xml":
            continue
        root = ET.parse(os.path.join(xml_dir, name)).getroot()
        for m in root.iter("memberdef"):
            members.setdefault((m.get("kind"), m.findtext("name")), m)
            for v in m.iter("enumvalue"):
                members.setdefault(("enumvalue", v.findtext("name")), v)
    return members


def main(argv):
    src, out, headers = argv[0], os.path.abspath(argv[1]), argv[2:]
    doxygen = shutil.which("doxygen")
    if not doxygen:
        print("1..0 # SKIP doxygen is not installed (apt-get install doxygen)")
        return 77
    print("1..8")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    config = open(os.path.join(src, "docs", "Doxyfile")).read()
    config += f"\nOUTPUT_DIRECTORY = {out}\nQUIET = YES\n"
    p = subprocess.run([doxygen, "-"], input=config, cwd=src, text=True,
                       capture_output=True)
    warnings = (p.stdout + p.stderr).strip()
    report(p.returncode == 0 and not warnings,
           "doxygen docs/Doxyfile: no warning", warnings)

    members = load_members(os.path.join(out, "xml"))

    problems = []
    win32 = pubapi.declared_functions(headers, "CPORT_WIN32_API")
    own = pubapi.declared_functions(headers, "CPORT_API") + [
        f for f in win32 if f.startswith("cport_")]
    for fn in own:
        m = members.get(("function", fn))
        if m is None:
            problems.append(f"{fn}: not in the reference")
            continue
        if not text(m.find("briefdescription")):
            problems.append(f"{fn}: no brief description")
        detail = m.find("detaileddescription")
        params = [p.findtext("declname") for p in m.findall("param")
                  if p.findtext("declname")]
        documented = {text(n) for n in detail.iter("parametername")}
        for prm in params:
            if prm not in documented:
                problems.append(f"{fn}: parameter {prm} undocumented")
        rtype = text(m.find("type"))
        has_return = any(s.get("kind") == "return"
                         for s in detail.iter("simplesect")) or any(
            l.get("kind") == "retval" for l in detail.iter("parameterlist"))
        if rtype != "void" and not has_return:
            problems.append(f"{fn}: return value undocumented")
    report(not problems, "every public function: brief, parameters, return",
           "\n".join(problems))

    listing = os.path.join(out, "xml", "cport_win32_api.xml")
    listed = {text(c) for c in ET.parse(listing).getroot().iter(
        "computeroutput")} if os.path.exists(listing) else set()
    unlisted = [f for f in win32
                if not f.startswith("cport_") and f not in listed]

    report(win32 and listed and not unlisted,
           f"every Win32 function of cport_win32.h listed ({len(win32)})",
           "not listed: " + " ".join(unlisted))

    codes = [c[0] for c in pubapi.error_codes(headers)]
    missing = [c for c in codes
               if not text(members.get(("enumvalue", "CPORT_" + c),
                                       ET.Element("x")).find("briefdescription"))]
    report(codes and not missing,
           f"every error code renders with its message ({len(codes)})",
           "undocumented: " + " ".join(missing))

    fields = [k[1] for k, m in members.items() if k[0] == "variable" and
              (m.get("id") or "").startswith("structcport__options")]
    bad = [f for f in fields if not text(members[("variable", f)].find(
        "briefdescription"))]
    report(len(fields) == 5 and not bad,
           "cport_options_t: every field documented",
           f"fields {fields}, undocumented {bad}")

    internal = [k[1] for k in members if k[1] and k[1].endswith("_")]
    report(not internal, "no internal helper macro in the reference",
           " ".join(internal))

    dirty = []
    for k, m in members.items():
        if k[0] == "define" and k[1].startswith("CPORT_FILE_"):
            init = text(m.find("initializer"))
            if "/*" in init or not text(m.find("briefdescription")):
                dirty.append(f"{k[1]}: '{init}'")
    report(not dirty and any(k[1].startswith("CPORT_FILE_") for k in members),
           "CPORT_FILE_* values render clean, each documented",
           "\n".join(dirty))

    html = os.path.join(out, "html")
    pages = ["md_docs_benchmarks.html", "md_docs_design.html",
             "md_docs_porting.html", "md_docs_windows.html",
             "md_docs_testing.html",
             "md_CHANGELOG.html", "cport_win32_api.html"]
    absent = [p for p in pages if not os.path.exists(os.path.join(html, p))]
    index = open(os.path.join(html, "index.html"), encoding="utf-8").read()
    unlinked = [p for p in pages[:5] if p not in index]
    report(not absent and not unlinked,
           "docs/*.md, CHANGELOG.md and the Win32 list are pages; "
           "the README links them",
           f"missing: {absent}, not linked from the README: {unlinked}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
