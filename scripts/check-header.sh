#!/usr/bin/env bash
# Fails when include/leanix.h differs from what the pinned cbindgen generates from ffi/src.
# With --write (what scripts/regen-header.sh does), copies the generated header there instead.
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
lx_paths debug
cd "$LX_ROOT"
generated="$(lx_ffi_out_dir)/leanix.h"
[ -f "$generated" ] || { echo "cargo build -p leanix-ffi wrote no header" >&2; exit 1; }
if [ "${1:-}" = --write ]; then
  cp "$generated" include/leanix.h
  echo "include/leanix.h regenerated from $generated"
elif ! diff -u include/leanix.h "$generated"; then
  echo "include/leanix.h is out of date: run scripts/regen-header.sh and commit it" >&2
  exit 1
else
  echo "include/leanix.h matches the generated header"
fi
