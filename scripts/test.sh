#!/usr/bin/env bash
# scripts/test.sh - install what is missing, build every configuration and
# run the whole suite once per backend; ends with "N passed, N failed".
#
#   release   (build/)       io_uring, epoll
#   asan      (build-asan/)  io_uring, epoll under AddressSanitizer + UBSan
#   tsan      (build-tsan/)  io_uring, epoll under ThreadSanitizer: any
#                            report (also from the example servers the
#                            scripts start) fails the configuration
#   windows   (build-win/)   iocp: mingw-w64 cross build, run under Wine;
#                            -Wconversion -Wsign-conversion -Wshadow as a
#                            stand-in for MSVC's /W4
#
# Each configuration also checks the headers under -pedantic, the API
# reference (doxygen) and the man pages; the Linux ones the exported
# symbols and cport installed and consumed (pkg-config, CMake, subproject).
#
# CPORT_SKIP_WINDOWS=1 leaves the Windows configuration out.
set -u
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" || exit 1
if [ "${CPORT_SKIP_WINDOWS:-0}" != 1 ]; then
  ensure_packages "${WINDOWS_PACKAGES[@]}" || exit 1
fi

status=0
dirs=()

run_config() {
  local dir=$1
  shift
  echo "== $dir: configure and build"
  if ! configure "$dir" "$@" || ! ninja -C "$dir" >/dev/null; then
    echo "== $dir: BUILD FAILED"
    ninja -C "$dir" 2>&1 | tail -30
    status=1
    return
  fi
  echo "== $dir: test"
  local ok=1
  meson test -C "$dir" --no-rebuild --print-errorlogs >"$dir/test-output.txt" 2>&1 ||
    ok=0
  grep -E "^ *[0-9]+/[0-9]+ " "$dir/test-output.txt"
  if [ $ok = 0 ]; then
    # What the failed tests printed (--print-errorlogs), to see why.
    echo "== $dir: output of the failed tests (last 200 lines)"
    grep -vE "^ *[0-9]+/[0-9]+ " "$dir/test-output.txt" | tail -200
    status=1
  fi
  dirs+=("$dir")
}

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0

run_config build -Dbuildtype=release -Dwerror=true -Dtests=true
run_config build-asan -Dbuildtype=debug -Db_sanitize=address,undefined \
  -Db_lundef=false -Dwerror=true -Dtests=true

# ThreadSanitizer: every process writes its reports under tsan-logs/, so a
# report from a server a script started is seen too.
rm -rf build-tsan/tsan-logs
mkdir -p build-tsan/tsan-logs
TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 log_path=$PWD/build-tsan/tsan-logs/report" \
  run_config build-tsan -Dbuildtype=debug -Db_sanitize=thread -Db_lundef=false \
  -Dwerror=true -Dtests=true -Dbenchmarks=false
if ls build-tsan/tsan-logs/report* >/dev/null 2>&1; then
  echo "== build-tsan: ThreadSanitizer reports (counted by summarize.py):"
  cat build-tsan/tsan-logs/report* | head -200
fi

if [ "${CPORT_SKIP_WINDOWS:-0}" != 1 ]; then
  bash scripts/fetch-cmocka.sh || status=1
  export WINEDEBUG=-all
  wineboot -i >/dev/null 2>&1 || true # the first start of Wine is slow
  run_config build-win --cross-file scripts/cross/mingw64.txt \
    -Dbuildtype=release -Dwerror=true -Dtests=true -Dbenchmarks=false \
    -Dconversion_warnings=true
fi

python3 scripts/summarize.py "${dirs[@]}" || status=1
exit $status
