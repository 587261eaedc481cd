#!/usr/bin/env bash
# scripts/fetch-cmocka.sh - put the CMocka source tarball where Meson's wrap
# looks first (subprojects/packagecache/), from Debian's source package,
# so the Windows cross build needs no internet. Adds a deb-src entry if
# the machine has none.
set -eu
cd "$(dirname "$0")/.."
want=subprojects/packagecache/cmocka-1.1.5.tar.xz
[ -f "$want" ] && exit 0
if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
    $sudo tee /etc/apt/sources.list.d/cport-deb-src.sources >/dev/null
  $sudo apt-get update -qq
fi
tmp=$(mktemp -d)
(cd "$tmp" && apt-get source --download-only -qq cmocka >/dev/null 2>&1)
orig=$(ls "$tmp"/cmocka_*.orig.tar.* | head -n 1)
mkdir -p subprojects/packagecache
cp "$orig" "$want"
rm -rf "$tmp"
echo "== cmocka source: $(basename "$orig") from Debian"
