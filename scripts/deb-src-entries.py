#!/usr/bin/env python3
"""deb-src-entries.py [APT_ETC] - print deb-src entries, in deb822 form,
derived from the machine's own enabled deb entries: the same URIs, suites,
components and keys (Signed-By, Trusted, Architectures...), only the type
changed. Used by scripts/fetch-cmocka.sh for a private apt configuration;
nothing here writes anywhere.

Only the distribution's own entries are turned into deb-src: those whose
suites all start with the release's code name (VERSION_CODENAME in
/etc/os-release: bookworm, bookworm-updates, noble-security, ...), since
third-party repositories rarely publish sources. Exits 1 if none is found.
"""
import glob
import os
import re
import sys


def codename():
    try:
        for line in open("/etc/os-release", encoding="utf-8"):
            m = re.match(r'VERSION_CODENAME="?([^"\n]*)"?', line)
            if m:
                return m.group(1)
    except OSError:
        pass
    return ""


def ours(suites, name):
    return bool(name) and bool(suites) and all(
        s == name or s.startswith(name + "-") for s in suites)


def deb822_stanzas(path):
    """The stanzas of a .sources file as lists of (field, value-lines)."""
    stanza = []
    for raw in open(path, encoding="utf-8").read().splitlines() + [""]:
        if raw.startswith("#"):
            continue
        if raw.strip() == "":
            if stanza:
                yield stanza
            stanza = []
        elif raw[0] in " \t" and stanza:
            stanza[-1][1].append(raw)  # continuation (e.g. an inline key)
        elif ":" in raw:
            field, value = raw.split(":", 1)
            stanza.append((field.strip(), [value.strip()]))


def from_deb822(path, name):
    out = []
    for stanza in deb822_stanzas(path):
        fields = {f.lower(): v for f, v in stanza}
        types = fields.get("types", [""])[0].split()
        enabled = fields.get("enabled", ["yes"])[0].lower() != "no"
        suites = fields.get("suites", [""])[0].split()
        if "deb" not in types or not enabled or not ours(suites, name):
            continue
        lines = []
        for field, value in stanza:
            if field.lower() == "types":
                lines.append("Types: deb-src")
            else:
                lines.append(f"{field}: {value[0]}")
                lines.extend(value[1:])
        out.append("\n".join(lines))
    return out


ONE_LINE = re.compile(r"^\s*deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s*(.*)$")


def from_one_line(path, name):
    out = []
    for raw in open(path, encoding="utf-8"):
        m = ONE_LINE.match(raw.split("#", 1)[0])
        if not m or not ours([m.group(3)], name):
            continue
        fields = ["Types: deb-src", f"URIs: {m.group(2)}",
                  f"Suites: {m.group(3)}"]
        if m.group(4).strip():
            fields.append(f"Components: {m.group(4).strip()}")
        for opt in (m.group(1) or "").strip("[] \t\n").split():
            key, _, value = opt.partition("=")
            known = {"signed-by": "Signed-By", "arch": "Architectures",
                     "trusted": "Trusted", "lang": "Languages"}
            if key in known:
                fields.append(f"{known[key]}: {value.replace(',', ' ')}")
        out.append("\n".join(fields))
    return out


def main(argv):
    etc = argv[0] if argv else "/etc/apt"
    name = codename()
    stanzas = []
    one_line = [os.path.join(etc, "sources.list")] + sorted(
        glob.glob(os.path.join(etc, "sources.list.d", "*.list")))
    for path in one_line:
        if os.path.isfile(path):
            stanzas += from_one_line(path, name)
    for path in sorted(glob.glob(os.path.join(etc, "sources.list.d", "*.sources"))):
        stanzas += from_deb822(path, name)
    if not stanzas:
        print(f"no enabled deb entry for '{name or '?'}' in {etc}",
              file=sys.stderr)
        return 1
    print("\n\n".join(stanzas))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
