#!/usr/bin/env bash
# Regenerates include/leanix.h from ffi/src with the cbindgen version pinned in ffi/Cargo.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p leanix-ffi
generated=$(ls -t target/*/build/leanix-ffi-*/out/leanix.h | head -1)
cp "$generated" include/leanix.h
echo "include/leanix.h regenerated from $generated"
