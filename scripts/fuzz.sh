#!/usr/bin/env bash
# Coverage-guided fuzzing on stable Rust: libFuzzer from Debian's clang, Rust code instrumented
# with LLVM's SanitizerCoverage through RUSTFLAGS (no nightly, no cargo-fuzz).
#
# Usage: scripts/fuzz.sh TARGET|all [SECONDS]     (default 60 s per target)
#        scripts/fuzz.sh --build                    (build the fuzzers only)
# Targets: token_response claims origin graphql_operation (Rust functions of fuzz/src/lib.rs) and
# ffi_options ffi_request ffi_server (the C ABI, harnesses in fuzz/harness/).
#
# Builds into target/fuzz (its own release build with coverage instrumentation; the normal
# target/debug is untouched). Seeds: fuzz/corpus/TARGET (read-only); the growing corpus lives in
# target/fuzz/corpus/TARGET. A crash, hang or leak is written to fuzz/regressions/TARGET/, which
# `cargo test -p leanix-fuzz` (Rust targets) and tests/reliability/run.sh (C targets) replay:
# fix the bug, keep the file. Prints one line per target and "N passed, N failed" last; figures
# go to target/fuzz/summary.txt too.
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
lx_paths release
cd "$LX_ROOT"
out="$LX_TARGET/fuzz"
rust_targets=(token_response claims origin graphql_operation)
ffi_targets=(ffi_options ffi_request ffi_server)
all=("${rust_targets[@]}" "${ffi_targets[@]}")

need_clang() {
  if command -v clang >/dev/null && echo 'int LLVMFuzzerTestOneInput(const char*d,long n){return 0;}' |
      clang -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "fuzz.sh: installing clang (libFuzzer) from Debian" >&2
    (apt-get update -qq && apt-get install -y -qq clang >/dev/null) || true
  fi
  command -v clang >/dev/null && echo 'int LLVMFuzzerTestOneInput(const char*d,long n){return 0;}' |
    clang -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null
}

build() {
  need_clang || { echo "fuzz.sh: clang with libFuzzer is not available" >&2; exit 3; }
  local triple
  triple=$(rustc -vV | sed -n 's/^host: //p')
  # --target keeps the instrumentation off build scripts and proc macros.
  export RUSTFLAGS="-C passes=sancov-module -C llvm-args=-sanitizer-coverage-level=3 \
-C llvm-args=-sanitizer-coverage-inline-8bit-counters -C llvm-args=-sanitizer-coverage-pc-table \
-C llvm-args=-sanitizer-coverage-trace-compares -C debug-assertions -C overflow-checks"
  CARGO_TARGET_DIR="$out" cargo rustc --quiet -p leanix-fuzz --release --target "$triple" --lib --crate-type staticlib
  CARGO_TARGET_DIR="$out" cargo rustc --quiet -p leanix-ffi --release --target "$triple" --lib --crate-type staticlib
  unset RUSTFLAGS
  local libdir="$out/$triple/release" sys
  read -ra sys <packaging/native-static-libs
  for t in "${rust_targets[@]}"; do
    clang -g -O1 -fsanitize=fuzzer,address -DLXFUZZ_TARGET="lxfuzz_$t" -o "$out/fuzz_$t" \
      fuzz/harness/rust_target.c "$libdir/libleanix_fuzz.a" "${sys[@]}"
  done
  for t in "${ffi_targets[@]}"; do
    clang -g -O1 -fsanitize=fuzzer,address -I include -I tests/c -o "$out/fuzz_$t" \
      "fuzz/harness/$t.c" tests/c/test_client.c "$libdir/libleanix.a" "${sys[@]}"
  done
}

run() {
  local t=$1 secs=$2 corpus="$out/corpus/$1" findings="fuzz/regressions/$1" log="$out/$1.log"
  mkdir -p "$corpus" "$findings"
  local leaks=1 max_len=4096
  case $t in ffi_*) leaks=0 ;; esac          # the library's runtime threads allocate lazily
  [ "$t" = ffi_server ] && max_len=8192
  local before
  before=$(find "$findings" -type f | wc -l)
  set +e
  ASAN_OPTIONS="detect_leaks=$leaks:abort_on_error=1:symbolize=1" \
    "$out/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=$max_len \
    -dict=fuzz/dict/leanix.dict -print_final_stats=1 -artifact_prefix="$findings/" \
    "$corpus" "fuzz/corpus/$t" >"$log" 2>&1
  local rc=$?
  set -e
  local execs units after
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  units=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
  after=$(find "$findings" -type f | wc -l)
  local line
  line=$(printf '%-15s %4ss  executions=%-9s new_units=%-6s corpus=%-5s findings=%s' "$t" "$secs" \
    "${execs:-?}" "${units:-?}" "$(find "$corpus" -type f | wc -l)" "$((after - before))")
  if [ $rc -eq 0 ] && [ "$after" -eq "$before" ]; then
    echo "ok   $line"; passed=$((passed + 1))
  else
    echo "FAIL $line  (exit $rc; log $log)"; failed=$((failed + 1))
    grep -E 'lxfuzz:|panicked|ERROR: |SUMMARY' "$log" | head -5 | sed 's/^/     /'
  fi
  echo "$(date -u +%FT%TZ) $line exit=$rc" >>"$out/summary.txt"
}

case "${1:-}" in
  --build) build; echo "fuzzers in $out"; exit 0 ;;
  all) targets=("${all[@]}") ;;
  "" | -h | --help) sed -n '2,17p' "$0"; exit 2 ;;
  *) targets=("$1") ;;
esac
secs=${2:-60}
mkdir -p "$out"
build
passed=0 failed=0
for t in "${targets[@]}"; do run "$t" "$secs"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
