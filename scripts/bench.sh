#!/usr/bin/env bash
# scripts/bench.sh - install what the benchmarks need, build them, and run
# them on a quiet machine. Output goes to the terminal and to
# build-bench/bench-output.txt; docs/benchmarks.md explains every line.
#
#   bash scripts/bench.sh               # every benchmark
#   bash scripts/bench.sh echo fair     # only these (meson benchmark names:
#                                       # post-get-io_uring post-get-epoll
#                                       # echo fair wine http)
#
# BENCH_ROUNDS, BENCH_SECONDS, BENCH_SERVERS and BENCH_MODES reach the
# scripts (see each script's usage). CPORT_SKIP_WINDOWS=1 leaves out the
# Windows build, and so the wine benchmark skips.
set -u
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${BENCH_PACKAGES[@]}" || exit 1
configure build-bench -Dbuildtype=release -Dtests=false -Dbenchmarks=true &&
  ninja -C build-bench >/dev/null || exit 1

if [ "${CPORT_SKIP_WINDOWS:-0}" != 1 ]; then
  # The Windows build of win32-echo for bench-wine (the same build
  # directory scripts/test.sh uses).
  ensure_packages "${WINDOWS_PACKAGES[@]}" || exit 1
  bash scripts/fetch-cmocka.sh || exit 1
  configure build-win --cross-file scripts/cross/mingw64.txt \
    -Dbuildtype=release -Dbenchmarks=false &&
    ninja -C build-win examples/win32-echo.exe >/dev/null || exit 1
fi

meson test -C build-bench --benchmark --no-rebuild --verbose "$@" 2>&1 |
  tee build-bench/bench-output.txt
exit "${PIPESTATUS[0]}"
