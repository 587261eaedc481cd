#!/usr/bin/env bash
# scripts/demo.sh - install what is missing, build, and run the headline
# demo: the IOCP-style echo server on the default backend, loaded for ~5 s
# by the echo client, which verifies every byte and prints one line.
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_packages "${BUILD_PACKAGES[@]}"
configure build -Dbuildtype=release
ninja -C build examples/echo-server examples/echo-client >/dev/null

port=${PORT:-7000}
seconds=${SECONDS_TO_RUN:-5}
./build/examples/echo-server --port "$port" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
./build/examples/echo-client --port "$port" --connections 64 --size 64 \
  --depth 4 --seconds "$seconds"
status=$?
kill -INT $server
wait $server || true
trap - EXIT
exit $status
