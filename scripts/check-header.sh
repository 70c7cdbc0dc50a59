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
# The functions come in the lifecycle order the header's "ORDER OF THIS HEADER" states.
order=(lx_version lx_options_new lx_client_new lx_call_options_new lx_cancel_new lx_graphql_pages_new
  lx_rest_pages_new lx_ldif_run lx_webhooks_create lx_response_status lx_error_code lx_free)
last=0
for fn in "${order[@]}"; do
  line=$(grep -nE "^[A-Za-z].*\b$fn\(" include/leanix.h | head -1 | cut -d: -f1 || true)
  if [ -z "$line" ] || [ "$line" -le "$last" ]; then
    echo "include/leanix.h: $fn is not where ORDER OF THIS HEADER says (after line $last)" >&2
    exit 1
  fi
  last=$line
done
echo "include/leanix.h is in lifecycle order"
