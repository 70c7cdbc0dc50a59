#!/usr/bin/env bash
# Fails when include/leanix.h differs from what the pinned cbindgen generates from ffi/src.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-target}
cargo build -q -p leanix-ffi
generated=$(ls -t "$target_dir"/debug/build/leanix-ffi-*/out/leanix.h | head -1)
if ! diff -u include/leanix.h "$generated"; then
  echo "include/leanix.h is out of date: run scripts/regen-header.sh and commit it" >&2
  exit 1
fi
echo "include/leanix.h matches the generated header"
