#!/usr/bin/env bash
# Every way of calling LeanIX, measured in one run against one loopback lx-sandbox.
#
#   ./bench/run.sh           full run (about 15 minutes): writes bench/RESULTS.md, bench/results.svg
#                            and bench/results.json (commit the first two)
#   ./bench/run.sh --quick   CI smoke run (under 2 minutes once the release build exists): writes
#                            target/bench/quick/; exits non-zero only if a measurement produced no
#                            number or a token-exchange count was wrong. Never asserts timings.
#   ./bench/run.sh --only sequential,refresh [--quick] [--out DIR]   a subset, for development
#
# Builds what it needs first (release: libleanix, lx-sandbox, leanix-bench, lx; the C benches),
# installs wrk/curl with apt-get and requests with pip when missing (BENCH_NO_INSTALL=1: don't).
set -euo pipefail
. "$(cd "$(dirname "$0")/.." && pwd)/scripts/lib.sh"
lx_paths release
root=$LX_ROOT target=$LX_TARGET
cd "$root"

if [ -z "${BENCH_NO_INSTALL:-}" ]; then
  missing=()
  for t in wrk curl; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
  if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${missing[*]} (apt-get)" >&2
    (apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null) || echo "could not install ${missing[*]}; those rows will be skipped" >&2
  fi
  if [ -f bench/python/requirements.txt ] && ! python3 -c 'import requests' 2>/dev/null; then
    python3 -m pip install -q -r bench/python/requirements.txt || echo "could not install requests; the Python bench will be skipped" >&2
  fi
fi

echo "building (release): libleanix, lx-sandbox, leanix-bench, lx" >&2
# libleanix alone, as make install, pip and the Java build build it: cargo unifies features per
# invocation, and one build of the library then serves every step of the test command.
cargo build --release --quiet -p leanix-ffi
cargo build --release --quiet -p leanix-sandbox -p leanix-bench -p leanix-cli
lx_link_soname # the C benches load libleanix.so.0 from target/release
make -s -C bench/c ROOT="$root" LIBDIR="$target/release" OUT="$target/bench/c"

exec python3 -m bench.harness.main --release-dir "$target/release" --c-dir "$target/bench/c" "$@"
