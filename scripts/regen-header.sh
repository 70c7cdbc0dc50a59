#!/usr/bin/env bash
# Regenerates include/leanix.h from ffi/src with the cbindgen version pinned in ffi/Cargo.toml.
exec "$(dirname "$0")/check-header.sh" --write
