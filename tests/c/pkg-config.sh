#!/usr/bin/env bash
# `make install PREFIX=<tmp>` then builds bindings-examples/c with pkg-config and the strict
# flags the README promises, and runs it against lx-sandbox.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
prefix=$(mktemp -d)
# An empty PID must never become `kill 0` (bash unsets a coproc's PID variable once it exits).
trap 'for p in ${SANDBOX_PID:-}; do kill "$p" 2>/dev/null; done; rm -rf "$prefix"' EXIT
make -s -C "$root" install PREFIX="$prefix" PROFILE="${PROFILE:-debug}" TARGET_DIR="$target" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
echo "pkg-config: $(pkg-config --cflags --libs leanix)"
make -s -C "$root/bindings-examples/c" clean
make -s -C "$root/bindings-examples/c" CFLAGS="-std=c11 -Wall -Wextra -Werror -pedantic -Wl,-rpath,$prefix/lib"
coproc SANDBOX { "$target/debug/lx-sandbox" --port 0; }
read -r -u "${SANDBOX[0]}" LEANIX_HOST
read -r -u "${SANDBOX[0]}" LEANIX_API_TOKEN
export LEANIX_HOST LEANIX_API_TOKEN
output=$("$root/bindings-examples/c/example" --insecure-loopback)
make -s -C "$root/bindings-examples/c" clean
echo "$output" | grep -q '"workspaceName"' && echo "$output" | grep -q 'GET factSheets: HTTP 200' \
  && echo "$output" | grep -q 'expected error: LX_ERR_HTTP, HTTP 404' || { echo "$output"; echo "example output unexpected"; exit 1; }
echo "example ran against the sandbox: claims, GET, GraphQL, error handling"
