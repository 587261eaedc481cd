#!/usr/bin/env python3
"""doxygen-filter.py FILE - what Doxygen reads instead of a public header
(docs/Doxyfile: FILTER_PATTERNS). Line numbers are kept, so warnings
point at the real lines.

cport_errno.h: the enum that CPORT_ERRNO_MAP expands is written out, one
enumerator per code, each documented with its message, so every code
renders; the helper macro CPORT_ERR_ENUM_ disappears.

cport_win32.h and its parts (include/cport_win32/*.h): Doxygen sees the
header's leading documentation blocks, each part's own (a part may
document its own cport_w32_* calls there), and the declarations those
blocks document (the names that are cport's own:
CPORT_WIN32_API, CPORT_W32_NAMELESS, cport_w32_*), and a generated page,
"Win32 API on Linux", listing every other name the parts declare, by
their sections. The Win32 names themselves are Microsoft's
(their documentation applies; docs/porting.md says where the layer
differs), so a new declaration is listed without any work.

Any other file passes through unchanged.
"""
import os
import re
import sys

XX = re.compile(r'XX\((\w+),\s*(-?\d+),\s*"([^"]*)"\)')


def errno_header(lines):
    codes = XX.findall("".join(lines))
    out = []
    for line in lines:
        if re.match(r"\s*#\s*(define|undef)\s+CPORT_ERR_ENUM_\b", line):
            out.append("\n")
        elif re.match(r"\s*CPORT_ERRNO_MAP\(CPORT_ERR_ENUM_\)", line):
            out.append(" ".join(
                f"CPORT_{n} = ({v}), /**< {m[0].upper() + m[1:]}. */"
                for n, v, m in codes) + "\n")
        else:
            out.append(line)
    return out


# --------------------------------------------------------------------------
# cport_win32.h

DOCUMENTED = re.compile(r"[@\\](?:def|fn|struct|union|typedef|var|enum)\s+"
                        r"([^\n]*)")
BANNER_RULE = re.compile(r"^/\* -{20,} \*/$")
BANNER_TITLE = re.compile(r"^/\* (\S.*?)\s*\*/$")


def documented_names(text):
    names = set()
    for m in DOCUMENTED.finditer(text):
        decl = m.group(1)
        name = re.findall(r"(\w+)\s*\(", decl) if "(" in decl else \
            re.findall(r"\w+", decl)
        if name:
            names.add(name[0] if "(" in decl else name[-1])
    return names


def strip_comments(code):
    return re.sub(r"/\*.*?\*/", " ", code, flags=re.S)


def declared_names(code):
    """The names one C statement (or #define) declares."""
    code = strip_comments(code).strip()
    m = re.match(r"#\s*define\s+(\w+)", code)
    if m:
        return [m.group(1)]
    if code.startswith("#"):
        return []
    m = re.search(r"\bCPORT_WIN32_API\b[^(]*?\b(\w+)\s*\(", code)
    if m:
        return [m.group(1)]
    if not code.startswith("typedef"):
        return []
    m = re.search(r"\(\s*(?:\w+\s+)?\*\s*(\w+)\s*\)\s*\(", code)
    if m:  # a function pointer type
        return [m.group(1)]
    names = []  # the typedef names, not the struct tags
    tail = code[code.rindex("}") + 1:] if "{" in code else code[len("typedef"):]
    for part in tail.rstrip(";").split(","):
        ids = re.findall(r"\w+", part)
        if ids:
            names.append(ids[-1])
    return names


def statements(lines, start):
    """(first line, last line, text, section) of each statement from
    line `start` on: #defines (with continuations), declarations up to
    their ';' at brace depth 0, and definitions up to their closing '}'."""
    section = ""
    i = start
    n = len(lines)
    while i < n:
        line = lines[i].rstrip("\n")
        s = line.strip()
        if BANNER_RULE.match(s) and i + 2 < n and \
                BANNER_RULE.match(lines[i + 2].strip()):
            t = BANNER_TITLE.match(lines[i + 1].strip())
            section = t.group(1) if t else section
            i += 3
            continue
        if s.startswith("#"):
            j = i
            while lines[j].rstrip("\n").endswith("\\") and j + 1 < n:
                j += 1
            yield i, j, "".join(lines[i:j + 1]), section
            i = j + 1
            continue
        if s.startswith("/*"):
            while "*/" not in lines[i] and i + 1 < n:
                i += 1
            i += 1
            continue
        if not s or s.startswith('extern "C"') or s == "}":
            i += 1
            continue
        j, depth, opened = i, 0, False
        while j < n:
            code = strip_comments(lines[j])
            depth += code.count("{") - code.count("}")
            opened = opened or "{" in code
            # A declaration ends at its ';'; a function defined in the
            # header (C++ inline templates) at the '}' that closes it.
            if depth <= 0 and (";" in code or
                               (opened and code.rstrip().endswith("}"))):
                break
            j += 1
        yield i, j, "".join(lines[i:j + 1]), section
        i = j + 1


GUARD = re.compile(r"CPORT_WIN32(?:_PART_\w+)?_H$")
PART = re.compile(r'^#\s*include\s+"(cport_win32/[\w.-]+\.h)"', re.M)


def guard_line(lines):
    """Where the leading documentation ends: the include guard."""
    return next((k for k, l in enumerate(lines)
                 if re.match(r"#ifndef\s+CPORT_WIN32\w*_H\b", l)), len(lines))


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.readlines()


def kept_statements(lines, keep, listed):
    """lines with only the statements that declare a name of keep (the
    documented ones) left; every other declared name goes into listed, by
    section."""
    first = guard_line(lines)
    out = lines[:first] + ["\n"] * (len(lines) - first)
    seen = set()
    for a, b, text, section in statements(lines, first):
        names = [x for x in declared_names(text) if not GUARD.match(x)]
        if not names:
            continue
        if keep & set(names):
            if names[0] in seen:
                continue  # one definition per macro (#if/#else pairs)
            seen.add(names[0])
            for k in range(a, b + 1):
                out[k] = lines[k]
            continue
        group = listed.setdefault(section or "Calling conventions", [])
        for x in names:
            if x not in group:
                group.append(x)
    return out


def umbrella_keep(path):
    """The names cport_win32.h's leading blocks document, and those its
    parts' leading blocks do."""
    lines = read_lines(path)
    keep = documented_names("".join(lines[:guard_line(lines)]))
    for part in PART.findall("".join(lines)):
        part_lines = read_lines(os.path.join(os.path.dirname(path), part))
        keep |= documented_names("".join(part_lines[:guard_line(part_lines)]))
    return keep


def win32_part(path, lines):
    """A part of cport_win32.h (include/cport_win32/): its own leading
    blocks, and the declarations the header's and the parts' blocks
    document."""
    umbrella = os.path.join(os.path.dirname(os.path.dirname(path)),
                            "cport_win32.h")
    return kept_statements(lines, umbrella_keep(umbrella), {})


def win32_header(path, lines):
    keep = umbrella_keep(path)
    listed = {}
    out = kept_statements(lines, keep, listed)
    for part in PART.findall("".join(lines)):
        kept_statements(read_lines(os.path.join(os.path.dirname(path), part)),
                        keep, listed)
    page = ["/**\n",
            " * @page cport_win32_api Win32 API on Linux\n",
            " * Every name cport_win32.h declares on Linux, by the header's\n",
            " * sections. They behave as Microsoft documents them; where the\n",
            " * layer differs, docs/porting.md says so. On Windows the header\n",
            " * includes the real headers instead.\n"]
    for section, names in listed.items():
        page.append(" *\n")
        page.append(f" * @par {section}\n")
        page.append(" * " + ", ".join(f"`{x}`" for x in names) + "\n")
    page.append(" */\n")
    return out + page


def main(path):
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    name = os.path.basename(path)
    if name == "cport_errno.h":
        lines = errno_header(lines)
    elif name == "cport_win32.h":
        lines = win32_header(path, lines)
    elif os.path.basename(os.path.dirname(path)) == "cport_win32":
        lines = win32_part(path, lines)
    sys.stdout.write("".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
