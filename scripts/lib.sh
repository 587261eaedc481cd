# scripts/lib.sh - shared by demo.sh and test.sh: install what is missing.
#
# Works as root and as a user with sudo (Debian 12, Ubuntu 24.04). Only
# installs packages from the sources the machine already has; never
# changes the package configuration.

# as_root cmd... : run a command as root (sudo when not root already).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "== need root for: $* (run as root or install sudo)" >&2
    return 1
  fi
}

# ensure_packages pkg... : apt-get install the packages not yet there.
ensure_packages() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing: ${missing[*]}"
  # sudo resets the environment: pass DEBIAN_FRONTEND through env.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Packages every Linux build needs.
BUILD_PACKAGES=(meson ninja-build pkg-config gcc g++ libc6-dev liburing-dev python3)
# The test suite: CMocka, curl for the HTTP tests, cmake for the CMake
# consumer, doxygen for the API reference check, man-db to check the man
# pages, clang-format (14) for the formatting check.
TEST_PACKAGES=(libcmocka-dev curl cmake doxygen man-db clang-format)
# The Windows build: mingw-w64, Wine to run it, dpkg-dev for apt-get source.
WINDOWS_PACKAGES=(gcc-mingw-w64-x86-64 wine wine64 dpkg-dev xz-utils)
# The benchmarks' peers (bench/): libuv and Boost.Asio echo servers, nginx
# and wrk for bench-http. The build skips what is missing. (Where an init
# system runs, Debian's nginx starts its own idle service on port 80;
# bench-http runs a private nginx of its own.)
BENCH_PACKAGES=(libuv1-dev libboost-dev nginx-light wrk)

# configure DIR [meson options...] : set up (or reconfigure) a build dir.
configure() {
  local dir=$1
  shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}
