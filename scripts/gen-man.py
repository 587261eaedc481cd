#!/usr/bin/env python3
"""gen-man.py - manual pages from the Doxygen comments of the public
headers: one page per function in section 3 (NAME, SYNOPSIS, DESCRIPTION,
RETURN VALUE, ERRORS, SEE ALSO), and cport(7), the overview.

  gen-man.py --list HEADER...                  the pages it would write
  gen-man.py --outdir DIR --version V HEADER...  write them

Every function declared with CPORT_API gets a page, so a new function
needs nothing but its comment. A function without a comment still gets a
page, marked undocumented (and the documentation tests fail).

The comments use a small part of Doxygen: a first sentence (the brief),
paragraphs, "- " lists, @code/@endcode, @param[dir] name, @return,
@retval VALUE, @sa, @ref group, @p, @c, `code`, #NAME and name().
"""
import argparse
import os
import re
import sys

UNDOCUMENTED = "undocumented"

# --------------------------------------------------------------------------
# Reading the headers


class Function:
    def __init__(self, name, proto, doc, group):
        self.name, self.proto, self.doc, self.group = name, proto, doc, group


def comment_lines(block):
    """The text of a /** ... */ block, without the leading stars."""
    body = block[3:-2]
    out = []
    for line in body.split("\n"):
        line = re.sub(r"^\s*\* ?", "", line, count=1) if line.strip().startswith("*") \
            else line.strip()
        out.append(line.rstrip())
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return out


def read_headers(paths):
    functions, groups, file_docs, codes = [], {}, {}, []
    for path in paths:
        text = open(path, encoding="utf-8").read()
        codes += re.findall(r'XX\((\w+),\s*(-?\d+),\s*"([^"]*)"\)', text)
        group_stack, pending = [], None
        for m in re.finditer(r"/\*\*(?!/).*?\*/|CPORT_API\b[^;{}]*;|"
                             r"/\*.*?\*/|#[^\n]*", text, re.S):
            tok = m.group(0)
            if tok.startswith("/**"):
                lines = comment_lines(tok)
                joined = "\n".join(lines)
                g = re.search(r"@defgroup\s+(\w+)\s+([^\n]*)", joined)
                if re.search(r"@file\b", joined):
                    file_docs[os.path.basename(path)] = lines
                if g:
                    groups[g.group(1)] = {"title": g.group(2).strip(),
                                          "doc": lines, "order": len(groups)}
                    if "@{" in joined:
                        group_stack.append(g.group(1))
                    pending = None
                elif joined.strip() == "@}":
                    if group_stack:
                        group_stack.pop()
                    pending = None
                else:
                    pending = lines
            elif tok.startswith("CPORT_API"):
                proto = " ".join(tok.split())
                name = re.search(r"(\w+)\s*\(", proto).group(1)
                functions.append(Function(
                    name, proto[len("CPORT_API "):], pending,
                    group_stack[-1] if group_stack else None))
                pending = None
            elif tok.startswith("#"):
                if re.match(r"#\s*define\b", tok):
                    pending = None  # the comment was the macro's
            else:
                pending = None
    return functions, groups, file_docs, codes


# --------------------------------------------------------------------------
# The comment, parsed


class Doc:
    def __init__(self, lines):
        self.body, self.params, self.ret, self.retvals, self.see = \
            [], [], [], [], []
        self.results = []  # @return and @retval entries, in their order
        tag, cur = None, None
        for line in lines or []:
            s = line.strip()
            m = re.match(r"@(param|return|returns|retval|sa|see)\b(\[[a-z,]+\])?"
                         r"\s*(.*)", s)
            if m:
                kind, rest = m.group(1), m.group(3)
                if kind == "param":
                    name, _, text = rest.partition(" ")
                    cur = [name, m.group(2) or "", text]
                    self.params.append(cur)
                elif kind in ("return", "returns"):
                    cur = ["", "", rest]
                    self.ret.append(cur)
                    self.results.append(cur)
                elif kind == "retval":
                    name, _, text = rest.partition(" ")
                    cur = [name, "", text]
                    self.retvals.append(cur)
                    self.results.append(cur)
                else:
                    self.see += re.findall(r"(\w+)\(\)", rest) or \
                        re.findall(r"\w+", rest)
                    cur = None
                tag = kind
                continue
            if tag and cur is not None and s:
                cur[2] += " " + s
                continue
            if tag and not s:
                tag, cur = None, None
                continue
            if tag is None:
                self.body.append(line)

    def brief(self):
        text = " ".join(l.strip() for l in self.body).strip()
        m = re.match(r"(.*?\.)(\s|$)", text)
        return (m.group(1) if m else text).strip()


# --------------------------------------------------------------------------
# troff


def esc(text):
    text = text.replace("\\", "\\e")
    return text


def inline(text, refs):
    """Doxygen/markdown inline markup to troff fonts."""
    text = esc(text)
    text = re.sub(r'@ref\s+(\w+)\s+"([^"]*)"', lambda m: m.group(2), text)
    text = re.sub(r"@ref\s+(\w+)", lambda m: refs.get(m.group(1), m.group(1)),
                  text)
    text = re.sub(r"`([^`]+)`", lambda m: "\\fB" + m.group(1) + "\\fR", text)
    text = re.sub(r"@p\s+(\w+)", r"\\fI\1\\fR", text)
    text = re.sub(r"@c\s+(\S+)", r"\\fB\1\\fR", text)
    text = re.sub(r"(?<![\w\\])#?(CPORT_\w+)", r"\\fB\1\\fR", text)
    text = re.sub(r"(?<![\w\\&])#(\w+)", r"\\fB\1\\fR", text)
    text = re.sub(r"(?<![\w\\])(cport_\w+)\(\)", r"\\fB\1\\fR()", text)
    text = text.replace("-", "\\-")
    return text


def para(lines, refs):
    """Paragraphs, "- " lists and @code blocks of a comment body."""
    out, buf, item, code = [], [], None, None

    def flush():
        nonlocal buf, item
        if item is not None:
            out.extend([".IP \\(bu 2", text_line(" ".join(item), refs)])
            item = None
        if buf:
            out.extend([".PP", text_line(" ".join(buf), refs)])
            buf = []

    for line in lines:
        s = line.strip()
        if code is not None:
            if s.startswith("@endcode"):
                out.extend([".PP", ".EX"] + [fix_dot(esc(c).replace("-", "\\-"))
                                             for c in code] + [".EE"])
                code = None
            else:
                code.append(line)
            continue
        if s.startswith("@code"):
            flush()
            code = []
        elif not s:
            flush()
        elif s.startswith("- "):
            flush()
            item = [s[2:]]
        elif item is not None:
            item.append(s)
        else:
            buf.append(s)
    flush()
    return out


def plain(text):
    """Markup removed: for the NAME line, which whatis and apropos read."""
    text = re.sub(r"`([^`]+)`", r"\1", text)
    text = re.sub(r"@[pc]\s+|#(?=CPORT_)", "", text)
    return esc(text).replace("-", "\\-")


def fix_dot(line):
    return "\\&" + line if line.startswith((".", "'")) else line


def text_line(text, refs):
    return fix_dot(inline(" ".join(text.split()), refs))


def synopsis(proto, include):
    """.BI lines: types bold, parameter names italic."""
    m = re.match(r"(.*?\b)(\w+)\s*\((.*)\);$", proto)
    ret, name, args = m.group(1).strip(), m.group(2), m.group(3).strip()
    lead = f"{ret} {name}(" if not ret.endswith("*") else f"{ret}{name}("
    out = [".nf", f".B #include <{include}>", ".PP"]
    if args in ("", "void"):
        out.append(f'.B "{lead}void);"')
        return out + [".fi"]
    parts = [a.strip() for a in args.split(",")]
    line, width = [], len(lead)
    rows, first = [], True
    for i, p in enumerate(parts):
        pm = re.match(r"(.*?)(\w+)$", p)
        typ, pname = pm.group(1), pm.group(2)
        last = i == len(parts) - 1
        sep = ");" if last else ","
        piece = typ + pname + sep
        if line and width + len(piece) + 1 > 76:
            rows.append(line)
            line, width = [], len(lead)
        line.append((typ, pname, sep))
        width += len(piece) + 1
    rows.append(line)
    for r, row in enumerate(rows):
        words = []
        prefix = lead if r == 0 else " " * len(lead)
        text = prefix
        for j, (typ, pname, sep) in enumerate(row):
            text += ("" if j == 0 else " ") + typ
            words.append(text)
            words.append(pname)
            text = sep
        words.append(text)
        out.append(".BI " + " ".join(f'"{w}"' for w in words))
    return out + [".fi"]


def common_errors(groups):
    g = groups.get("cport_common_errors")
    if not g:
        return []
    items, cur = [], None
    for line in g["doc"]:
        s = line.strip()
        m = re.match(r"- #?(CPORT_E\w+):\s*(.*)", s)
        if m:
            cur = [m.group(1), m.group(2)]
            items.append(cur)
        elif cur is not None and s and not s.startswith("- "):
            cur[1] += " " + s
        else:
            cur = None
    return [(n, t.rstrip(";.")) for n, t in items]


def page(fn, groups, refs, version, include):
    d = Doc(fn.doc)
    brief = d.brief() if fn.doc else UNDOCUMENTED
    short = brief.rstrip(".")
    short = short[0].lower() + short[1:] if short else short
    out = [f'.TH {fn.name} 3 "" "cport {version}" "cport Manual"',
           ".SH NAME", f"{fn.name} \\- {plain(short)}",
           ".SH SYNOPSIS"] + synopsis(fn.proto, include)
    out += [".SH DESCRIPTION"]
    if not fn.doc:
        out += [".PP", "This function is undocumented."]
    out += para(d.body, refs)
    if d.params:
        out += [".PP", "Arguments:"]
        for name, direction, text in d.params:
            out += [".TP", f".I {name}", text_line(text, refs)]
    out += [".SH RETURN VALUE"]
    errors = [r for r in d.retvals if r[0].startswith("CPORT_E")]
    listing = False
    for name, _, text in d.results:
        if not name:
            out += [".PP", text_line(text, refs)]
            listing = False
        elif not name.startswith("CPORT_E"):
            if not listing:
                out += [".PP", "Return values:"]
                listing = True
            out += [".TP", f".B {esc(name)}", text_line(text, refs)]
    mentions_common = any("cport_common_errors" in l for l in (fn.doc or []))
    if errors or mentions_common:
        out += [".PP", "On failure, a negative \\fBCPORT_E*\\fR code: see "
                "ERRORS."]
    if not d.results:
        out += [".PP", "None."]
    out += [".SH ERRORS"]
    for name, _, text in errors:
        out += [".TP", f".B {name}", text_line(text, refs)]
    if mentions_common:
        listed = {e[0] for e in errors}
        out += [".PP", "And the errors every call that starts an operation "
                "may return:"]
        for name, text in common_errors(groups):
            # (a code the call lists has these meanings too)
            also = "Also: " if name in listed else ""
            out += [".TP", f".B {name}", text_line(also + text, refs)]
    if not errors and not mentions_common:
        out += [".PP", "None: this call does not fail."]
    out += [".SH SEE ALSO"]
    see = [s for s in dict.fromkeys(d.see) if s != fn.name]
    out.append(",\n".join([f".BR {s} (3)" for s in see] + [".BR cport (7)"]))
    return "\n".join(out) + "\n"


# What cport reads from the environment (a value it cannot use is named
# on stderr, once).
ENVIRONMENT = [
    ("CPORT_BACKEND", "auto (the default), io_uring, epoll or iocp: the "
     "backend of ports created with CPORT_BACKEND_AUTO; another value makes "
     "cport_create fail with CPORT_EINVAL."),
    ("CPORT_FAULTS", "the fault mode of every new port, as "
     "cport_set_faults(3) reads it (seed=, split=, delay=, pending=, "
     "errors=...); a specification cport cannot read makes cport_create "
     "fail with CPORT_EINVAL."),
    ("CPORT_TRACE", "a file for the completion trace of every new port "
     "(%p: the process id); read it with scripts/cport-trace.py, "
     "installed as cport-trace."),
    ("CPORT_SENDBUF", "auto, off or always: how the Win32 layer's "
     "WSASend is done on io_uring (for measuring)."),
    ("CPORT_PROGRESS", "dedicated or hybrid: who waits in the kernel "
     "(for measuring)."),
    ("CPORT_RECV", "multishot, adaptive or direct: how io_uring receives "
     "(for measuring)."),
    ("CPORT_RINGS", "1 to 4: io_uring rings per port (for measuring)."),
]


def overview(functions, groups, file_docs, codes, refs, version):
    doc = Doc(file_docs.get("cport.h"))
    body, skipping = [], False
    for line in doc.body:  # without the @file line and the @brief paragraph
        if re.match(r"\s*@(file|brief)\b", line):
            skipping = True
        elif skipping and not line.strip():
            skipping = False
        elif not skipping:
            body.append(line)
    out = [f'.TH cport 7 "" "cport {version}" "cport Manual"',
           ".SH NAME",
           "cport \\- one completion-port API for Windows (IOCP) and Linux "
           "(io_uring or epoll)",
           ".SH SYNOPSIS", ".nf", ".B #include <cport.h>", ".fi",
           ".SH DESCRIPTION"]
    out += para(body, refs)
    out += [".SH FUNCTIONS"]
    order = sorted(groups, key=lambda g: groups[g]["order"])
    for g in order + [None]:
        members = [f for f in functions if f.group == g]
        if not members:
            continue
        title = groups[g]["title"] if g else "Other"
        out += [".SS " + esc(title)]
        for f in members:
            brief = Doc(f.doc).brief() if f.doc else UNDOCUMENTED
            out += [".TP", f".BR {f.name} (3)", text_line(brief, refs)]
    out += [".SH ERRORS", ".PP",
            "Functions return 0 or a positive documented value on success, "
            "and one of these negative codes on failure (the Linux errno "
            "values, negated, on every platform):"]
    for name, value, msg in codes:
        out += [".TP", f".BR CPORT_{name} \" (\\-{value.lstrip('-')})\"",
                text_line(msg[0].upper() + msg[1:] + ".", refs)]
    out += [".SH ENVIRONMENT"]
    for var, text in ENVIRONMENT:
        out += [".TP", f".B {var}", esc(text)]
    key = ["cport_create", "cport_associate", "cport_get", "cport_accept",
           "cport_recv", "cport_send", "cport_strerror"]
    out += [".SH SEE ALSO",
            ",\n".join(f".BR {f.name} (3)" for f in functions
                       if f.name in key)]
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--outdir")
    ap.add_argument("--version", default="")
    ap.add_argument("headers", nargs="+")
    a = ap.parse_args()
    functions, groups, file_docs, codes = read_headers(a.headers)
    names = [f.name + ".3" for f in functions] + ["cport.7"]
    if a.list:
        print("\n".join(names))
        return 0
    refs = {g: v["title"].lower() + " (see ERRORS)" if g == "cport_common_errors"
            else v["title"] for g, v in groups.items()}
    os.makedirs(a.outdir, exist_ok=True)
    for fn in functions:
        if not fn.doc:
            print(f"gen-man: {fn.name} has no documentation comment",
                  file=sys.stderr)
        with open(os.path.join(a.outdir, fn.name + ".3"), "w",
                  encoding="utf-8") as f:
            f.write(page(fn, groups, refs, a.version, "cport.h"))
    with open(os.path.join(a.outdir, "cport.7"), "w", encoding="utf-8") as f:
        f.write(overview(functions, groups, file_docs, codes, refs, a.version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
