#!/usr/bin/env bash
# Runs every test of the project: Rust (fmt, clippy, unit and integration tests), the header
# check, C (shared, static, C++, valgrind, sanitizers, pkg-config install), Python, Java, the
# reliability suite (fault matrix, soak, lifecycle, TLS, fuzzing, secrets) and the benchmark
# harness in quick mode. One debug build serves the tests; the quick benchmark builds release.
# Usage: ./scripts/test.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
step() { printf '\n=== %s\n' "$*"; }

step "Rust: format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "Rust: build (debug: libleanix, lx-sandbox, lx)"
cargo build --workspace --quiet

step "C header is what cbindgen generates"
./scripts/check-header.sh

step "Rust: tests"
cargo test --workspace --quiet 2>&1 | grep -vE '^\s*$' | tail -n 200

step "C: tests against lx-sandbox (shared, static, C++, valgrind, ASan+UBSan)"
./tests/c/run.sh debug

step "C: make install + pkg-config + the example"
./tests/c/pkg-config.sh

if [ -d bindings-examples/python/tests ]; then
  step "Python: pytest"
  LEANIX_LIBRARY="$CARGO_TARGET_DIR/debug/libleanix.so" LX_SANDBOX_BIN="$CARGO_TARGET_DIR/debug/lx-sandbox" \
    python3 -m pytest -q bindings-examples/python/tests
fi

if [ -x bindings-examples/java/run-tests.sh ]; then
  step "Java: JNA (JDK 17) and Panama (JDK 25)"
  LEANIX_LIBRARY="$CARGO_TARGET_DIR/debug/libleanix.so" LX_SANDBOX_BIN="$CARGO_TARGET_DIR/debug/lx-sandbox" \
    bindings-examples/java/run-tests.sh
fi

step "Reliability: fault matrix, soak, lifecycle, TLS, fuzz, secrets"
./tests/reliability/run.sh debug

step "Benchmarks: quick mode (keeps the harness working; no timing is asserted)"
./bench/run.sh --quick

step "all tests passed"
