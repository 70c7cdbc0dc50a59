#!/usr/bin/env bash
# Events without a public endpoint, end to end against the sandbox: a PULL subscription, a write
# that causes an event, `lx webhooks pull` printing it, then `--exec` committing only on exit 0.
# Usage: bindings-examples/shell/webhooks-pull.sh   (builds lx and lx-sandbox in debug first)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
(cd "$root" && cargo build -q -p leanix-cli -p leanix-sandbox)
bin=${CARGO_TARGET_DIR:-$root/target}/debug

# A sandbox whose tokens name a second listener, "the instance", in instanceUrl. It prints its
# URL and an admin API token on its first two lines.
exec 3< <(exec "$bin/lx-sandbox" --instance-listener --fact-sheets 10 </dev/null)
sandbox=$!
trap 'kill "$sandbox" 2>/dev/null' EXIT
read -r LEANIX_HOST <&3
read -r LEANIX_API_TOKEN <&3
export LEANIX_HOST LEANIX_API_TOKEN
lx() { "$bin/lx" --insecure-loopback "$@"; }

lx whoami | grep -E '^(workspace|instance|api calls)'
sub=$(lx webhooks create --tag-set pathfinder,FACT_SHEET_CREATED --identifier example \
      | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
echo "subscription $sub"
lx request POST /services/pathfinder/v1/factSheets --data '{"name":"Hello","type":"Application"}' >/dev/null
lx request POST /services/pathfinder/v1/factSheets --data '{"name":"World","type":"Application"}' >/dev/null

# A handler that fails on the second event: the first is committed, the second stays.
if lx webhooks pull "$sub" --exec 'grep -q "\"name\":\"Hello\""'; then
  echo "unexpected: the handler should have failed on World"; exit 1
fi
echo "--- next pull: World again, now handled"
handled=$(lx webhooks pull "$sub" --exec 'sed -n "s/.*\"name\":\"\([^\"]*\)\".*/handled \1/p"')
echo "$handled"
# Exactly the event the failed handler left, once: Hello was committed, World was not skipped.
[ "$handled" = "handled World" ] || { echo "expected exactly 'handled World', got: $handled"; exit 1; }
echo "--- nothing left:"
left=$(lx webhooks pull "$sub")
[ -z "$left" ] || { echo "expected no event left, got: $left"; exit 1; }
echo "(done)"
