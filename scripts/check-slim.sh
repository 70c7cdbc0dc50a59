#!/usr/bin/env bash
# The slim lx (cargo install --path cli --no-default-features): it builds, has no embedded
# sandbox in it, says what is missing when asked for one (lx demo, --sandbox), and works against
# an lx-sandbox on loopback. Prints the sizes of both release binaries stripped as make install
# strips them (the figures in the README).
#
# Usage: scripts/check-slim.sh [release|debug]   (default release; the debug lx-sandbox must exist)
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
lx_init "${1:-release}"
export LX_SANDBOX_BIN=${LX_SANDBOX_BIN:-$LX_TARGET/debug/lx-sandbox}
fail() { echo "FAIL: $*"; exit 1; }
flag=$([ "$LX_PROFILE" = release ] && echo --release || true)

# The slim build first, copied aside; then the default build again, so that LX_LIB/lx is the
# full lx when this script ends (both stay in cargo's cache: the second build only relinks).
cargo build $flag -q -p leanix-cli --no-default-features
cp "$LX_LIB/lx" "$LX_TMP/lx-slim"
cargo build $flag -q -p leanix-cli
cp "$LX_LIB/lx" "$LX_TMP/lx-full"
strip --strip-debug "$LX_TMP/lx-slim" "$LX_TMP/lx-full"
slim=$LX_TMP/lx-slim

if grep -q leanix_sandbox "$slim"; then fail "the slim lx contains the sandbox"; fi
grep -q leanix_sandbox "$LX_TMP/lx-full" || fail "the default lx has no sandbox (is the feature on by default?)"

for args in "demo" "--sandbox whoami" "--sandbox config"; do
  set +e
  out=$(env -u LEANIX_HOST -u LEANIX_API_TOKEN HOME="$LX_TMP" "$slim" $args 2>&1)
  rc=$?
  set -e
  [ "$rc" = 2 ] || fail "slim lx $args: exit $rc, not 2: $out"
  case $out in
    *"built without the embedded sandbox"*"cargo install --path cli"*) ;;
    *) fail "slim lx $args does not say what is missing: $out" ;;
  esac
done

start_sandbox sb
got=$(LEANIX_HOST=$sb_URL LEANIX_API_TOKEN=$sb_TOKEN LEANIX_INSECURE_LOOPBACK=1 HOME="$LX_TMP" \
  "$slim" get --paginate --merge '/services/pathfinder/v1/factSheets?pageSize=1000' |
  python3 -c 'import json, sys; print(len({fs["id"] for fs in json.load(sys.stdin)}))')
want=$(LEANIX_HOST=$sb_URL LEANIX_API_TOKEN=$sb_TOKEN LEANIX_INSECURE_LOOPBACK=1 HOME="$LX_TMP" \
  "$slim" get '/services/pathfinder/v1/factSheets?pageSize=1' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])')
[ "$got" = "$want" ] || fail "slim lx get --paginate --merge: $got distinct fact sheets of $want"

kib() { echo "$(($(stat -c %s "$1") / 1024)) KiB"; }
echo "slim lx OK ($LX_PROFILE, stripped as make install strips): default $(kib "$LX_TMP/lx-full"), --no-default-features $(kib "$slim")"
