"""pubapi.py - what the public headers declare, for the checks in tests/
(check-exports.py, check-doxygen.py, check-man.py): the functions marked
CPORT_API or CPORT_WIN32_API, the C library functions the Win32 layer
provides, and the error codes of CPORT_ERRNO_MAP."""
import re

DECL = re.compile(r"\b(?:CPORT_API|CPORT_WIN32_API)\b[^;{]*?\b(\w+)\s*\(",
                  re.S)
CODE = re.compile(r'XX\((\w+),\s*(-?\d+),\s*"([^"]*)"\)')


def _code(path):
    """The header without comments and preprocessor lines."""
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"^\s*#.*?(?<!\\)$", " ", text, flags=re.M | re.S)
    return text


def declared_functions(headers, marker=None):
    """Functions declared in the headers, in order. marker: only those
    marked CPORT_API (or only CPORT_WIN32_API)."""
    names = []
    for h in headers:
        for m in DECL.finditer(_code(h)):
            if marker is None or m.group(0).startswith(marker + " "):
                names.append(m.group(1))
    return names


BSD = re.compile(r"^\s*#\s*define\s+CPORT_WIN32_BSD_CALLS\s+(.*)$", re.M)


def provided_functions(headers):
    """The C library functions a header says its library provides in front
    of the C library's (cport_win32.h: CPORT_WIN32_BSD_CALLS), with the C
    library's prototypes, so not declared with CPORT_WIN32_API."""
    names = []
    for h in headers:
        text = open(h, encoding="utf-8").read().replace("\\\n", " ")
        for m in BSD.finditer(text):
            names += [n.strip() for n in m.group(1).split(",") if n.strip()]
    return names


def error_codes(headers):
    """(name, value, message) of each CPORT_ERRNO_MAP entry."""
    codes = []
    for h in headers:
        codes += CODE.findall(open(h, encoding="utf-8").read())
    return codes
