# scripts/lib.sh - shared by demo.sh and test.sh: install what is missing.

# ensure_packages pkg... : apt-get install the Debian packages not yet there.
ensure_packages() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Packages every Linux build needs.
BUILD_PACKAGES=(meson ninja-build pkg-config gcc g++ libc6-dev liburing-dev python3)
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
