#!/usr/bin/env bash
# The secrets test: drives every path (success, every error kind, retries, 401 replay, refresh
# with 2-second tokens, cancellation, bad configuration) through Rust (tracing at TRACE for every
# crate + the log crate + the event callback), the C ABI (event callback), the lx CLI
# (--verbose), Python (logging at DEBUG, on_event) and Java (if its jars are built), captures
# everything they print, log, raise or return as a message, and searches it for the API tokens,
# every access token the sandbox issued, and the Basic values (scan.py says exactly what).
#
# Usage: tests/secrets/run.sh [debug|release]   (the Rust build must exist)
# Prints one line per check and "N passed, N failed" last.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh"
lx_init "${1:-debug}"
root=$LX_ROOT bin=$LX_LIB out=$LX_TMP
lx_link_soname

ADMIN=$(lx_rand) VIEWER=$(lx_rand) REVOKED=$(lx_rand)
start_sandbox SANDBOX --api-token "$ADMIN" --api-token "$REVOKED" --viewer-token "$VIEWER" --fact-sheets 100
URL=$SANDBOX_URL
ctl() { curl -sf -X "$1" "$URL$2" ${3:+-d "$3"} >/dev/null; }
fault() { ctl DELETE /_sandbox/faults && ctl POST /_sandbox/faults "$1"; } # the only fault queued
ctl POST /_sandbox/revoke "{\"api_token\":\"$REVOKED\"}"
export LX_URL=$URL LX_TOKEN=$ADMIN LX_VIEWER=$VIEWER LX_REVOKED=$REVOKED LX_INTENTIONAL=$out/intentional.txt
: >"$LX_INTENTIONAL"
logs=()
step() { printf '== %s\n' "$*"; }

step "Rust (tracing + log at TRACE, events, Debug/Display/source of everything)"
RUST_LOG=trace RUST_BACKTRACE=1 timeout 120 "$bin/lx-secrets-probe" >"$out/rust.log" 2>&1 || echo "rust probe exit $?" >>"$out/rust.log"
logs+=("$out/rust.log")

step "C ABI (messages, OAuth errors, event callback, claims, headers)"
cc -std=c11 -Wall -Wextra -Werror -I"$root/include" -I"$root/tests/c" -o "$out/probe_c" "$here/probe.c" \
  "$root/tests/c/sandbox_control.c" "$root/tests/c/test_client.c" -L"$bin" -lleanix -Wl,-rpath,"$bin" -lpthread
timeout 120 "$out/probe_c" >"$out/c.log" 2>&1 || echo "c probe exit $?" >>"$out/c.log"
logs+=("$out/c.log")

step "CLI (lx --verbose, every command and error)"
lx=("$bin/lx" --insecure-loopback --verbose)
cli() { # cli NAME [ENV=...] -- ARGS: stdout and stderr to the log
  local name=$1; shift
  { echo "\$ lx $name"; env "$@" 2>&1; echo "exit $?"; } >>"$out/cli.log" 2>&1 || true
}
export LEANIX_HOST=$URL
# lx's token cache (on by default) writes here, not into the user's own runtime directory.
mkdir -p "$out/runtime" && chmod 700 "$out/runtime"
export XDG_RUNTIME_DIR=$out/runtime
fs='/services/pathfinder/v1/factSheets?pageSize=2'
cli get LEANIX_API_TOKEN="$ADMIN" "${lx[@]}" get -i "$fs"
cli whoami LEANIX_API_TOKEN="$ADMIN" "${lx[@]}" whoami
cli graphql LEANIX_API_TOKEN="$ADMIN" "${lx[@]}" graphql '{ allFactSheets(first: 2) { totalCount } }'
cli config LEANIX_API_TOKEN="$ADMIN" "${lx[@]}" config
# A secret in a query string (issue 17, finding 6): the verbose request line and every error
# message redact query values.
cli query-secret LEANIX_API_TOKEN="$ADMIN" "${lx[@]}" get -i "$fs&apiKey=$ADMIN"
cli query-secret-404 LEANIX_API_TOKEN="$ADMIN" "${lx[@]}" get "/services/pathfinder/v1/factSheets/nope?apiKey=$ADMIN"
echo "$ADMIN" >"$out/token-file"
cli token-file LEANIX_API_TOKEN= "${lx[@]}" --api-token-file "$out/token-file" get "$fs"
{ echo "\$ lx --api-token-stdin get"; echo "$ADMIN" | LEANIX_API_TOKEN= "${lx[@]}" --api-token-stdin get "$fs" 2>&1; echo "exit $?"; } >>"$out/cli.log" || true
# `lx token` prints an access token on purpose: stdout is the intentional output, stderr is searched.
LEANIX_API_TOKEN="$ADMIN" "${lx[@]}" token >>"$LX_INTENTIONAL" 2>>"$out/cli.log" || true
fault '{"endpoint":"token","kind":"status","status":503}'
ctl POST /_sandbox/faults '{"endpoint":"factSheets","kind":"drop_connection"}'
cli retries LEANIX_API_TOKEN="$ADMIN" "${lx[@]}" get "$fs"
cli invalid-credentials LEANIX_API_TOKEN=not-a-valid-token-cli-0123456789 "${lx[@]}" get "$fs"
cli revoked LEANIX_API_TOKEN="$REVOKED" "${lx[@]}" get "$fs"
cli forbidden LEANIX_API_TOKEN="$VIEWER" "${lx[@]}" request POST /services/pathfinder/v1/factSheets --data '{"name":"x","type":"Application"}'
fault '{"endpoint":"factSheets","kind":"status","status":401,"times":2}'
cli unauthorized LEANIX_API_TOKEN="$ADMIN" "${lx[@]}" get "$fs"
fault '{"endpoint":"factSheets","kind":"status","status":429,"retry_after":"3600"}'
cli rate-limited LEANIX_API_TOKEN="$ADMIN" "${lx[@]}" get "$fs"
fault '{"endpoint":"factSheets","kind":"status","status":503,"times":3}'
cli 503 LEANIX_API_TOKEN="$ADMIN" "${lx[@]}" get "$fs"
ctl DELETE /_sandbox/faults
cli 404 LEANIX_API_TOKEN="$ADMIN" "${lx[@]}" get /services/pathfinder/v1/factSheets/nope
fault '{"endpoint":"factSheets","kind":"stall","ms":3000}'
cli timeout LEANIX_API_TOKEN="$ADMIN" "${lx[@]}" --timeout 1 get "$fs"
ctl DELETE /_sandbox/faults
cli connect LEANIX_API_TOKEN="$ADMIN" "${lx[@]}" --host http://127.0.0.1:1 get "$fs"
fault '{"endpoint":"token","kind":"malformed_json"}'
cli invalid-response LEANIX_API_TOKEN="$ADMIN" "${lx[@]}" get "$fs"
fault '{"endpoint":"factSheets","kind":"redirect_foreign"}'
cli redirect LEANIX_API_TOKEN="$ADMIN" "${lx[@]}" get "$fs"
cli graphql-error LEANIX_API_TOKEN="$ADMIN" "${lx[@]}" graphql '{ noSuchField }'
cli config-http LEANIX_API_TOKEN="$ADMIN" "${lx[@]}" --host http://acme.leanix.net get "$fs"
cli config-newline LEANIX_API_TOKEN=$'token-with-newline-cli-0123456789\n' "${lx[@]}" get "$fs"
ctl DELETE /_sandbox/faults
logs+=("$out/cli.log")

step "Python (logging at DEBUG, on_event, exceptions as str/repr/traceback)"
LEANIX_LIBRARY="$bin/libleanix.so" PYTHONPATH="$root/bindings-examples/python/src" \
  timeout 120 python3 "$here/probe.py" >"$out/python.log" 2>&1 || echo "python probe exit $?" >>"$out/python.log"
logs+=("$out/python.log")

java_jars=("$root"/bindings-examples/java/leanix-api/target/leanix-api-*[0-9T].jar "$root"/bindings-examples/java/leanix-jna/target/leanix-jna-*[0-9T].jar)
jna=$(find "${HOME}/.m2/repository/net/java/dev/jna/jna" -name 'jna-*.jar' 2>/dev/null | sort | tail -1 || true)
if [ -f "${java_jars[0]}" ] && [ -f "${java_jars[1]}" ] && [ -n "$jna" ] && command -v java >/dev/null; then
  step "Java (JNA backend; exceptions with toString, message, stack trace)"
  LEANIX_LIBRARY="$bin/libleanix.so" timeout 120 java -cp "${java_jars[0]}:${java_jars[1]}:$jna" "$here/Probe.java" \
    >"$out/java.log" 2>&1 || echo "java probe exit $?" >>"$out/java.log"
  logs+=("$out/java.log")
else
  step "Java: skipped (build bindings-examples/java first: its jars and JNA are not there)"
fi

# Every probe must have run to its end and through its error paths, or the search proves little.
probe_ok=1
for log in "${logs[@]}"; do
  name=$(basename "$log" .log)
  if [ "$name" != cli ] && ! grep -q "probe done" "$log"; then
    echo "FAIL $name probe did not finish:"; tail -5 "$log"; probe_ok=0
  fi
done
grep -q 'invalid credentials' "$out/c.log" && grep -q 'EVENT' "$out/c.log" && grep -q 'EVENT' "$out/python.log" &&
  grep -q 'TRACE' "$out/rust.log" && grep -q 'LOG ' "$out/rust.log" && grep -q 'exit 3' "$out/cli.log" || {
  echo "FAIL a probe did not exercise its error paths or logging"; probe_ok=0; }

curl -sf "$URL/_sandbox/tokens" >"$out/tokens.json"
step "search"
set +e
LX_SCAN_API_TOKENS="$ADMIN,$VIEWER,$REVOKED,not-a-valid-token-rust-0123456789,not-a-valid-token-c-0123456789,not-a-valid-token-cli-0123456789,not-a-valid-token-py-0123456789,not-a-valid-token-java-0123456789,token-with-newline-0123456789,token-with-newline-c-0123456789,token-with-newline-cli-0123456789,token-with-newline-py-0123456789,token-with-newline-java-0123456789" \
  python3 "$here/scan.py" "$out/tokens.json" "$LX_INTENTIONAL" "${logs[@]}"
rc=$?
set -e
if [ -n "${LX_SECRETS_KEEP:-}" ]; then cp -r "$out" "$LX_SECRETS_KEEP"; echo "outputs kept in $LX_SECRETS_KEEP"; fi
[ $probe_ok = 1 ] && [ $rc = 0 ]
