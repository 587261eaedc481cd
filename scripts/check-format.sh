#!/usr/bin/env bash
# scripts/check-format.sh [--fix] - the tree is formatted by the checked-in
# .clang-format. The style is defined by clang-format 14 (Debian 12's);
# another major version formats a few constructs differently, so the check
# is skipped there (exit 77) rather than fail on the formatter's version.
set -u
cd "$(dirname "$0")/.."
want=14
if ! command -v clang-format >/dev/null; then
  echo "format: skipped: clang-format is not installed (apt-get install clang-format)"
  exit 77
fi
have=$(clang-format --version | sed -n 's/.*version \([0-9]*\).*/\1/p')
if [ "$have" != "$want" ]; then
  echo "format: skipped: clang-format $have here; the style is checked with version $want"
  exit 77
fi
mapfile -t files < <(git ls-files '*.c' '*.h' '*.cpp' 2>/dev/null | grep -v '^subprojects/' ||
  find include src tests examples bench -name '*.[ch]' -o -name '*.cpp')
if [ "${1:-}" = --fix ]; then
  clang-format -i --style=file "${files[@]}"
  exit 0
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! clang-format --dry-run --Werror --style=file "${files[@]}" 2>"$out"; then
  head -40 "$out"
  echo "format: $(grep -c 'error:' "$out") line(s) differ from .clang-format (fix: bash scripts/check-format.sh --fix)"
  exit 1
fi
echo "format: ${#files[@]} files formatted as .clang-format says"
