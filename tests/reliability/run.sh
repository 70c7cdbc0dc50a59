#!/usr/bin/env bash
# The reliability suite, CI-sized: fault matrix (plain and ASan+UBSan), load/soak (16 threads),
# lifecycle stress (plain, ASan+UBSan, valgrind), TLS and the http:// rule, replay of the C ABI
# fuzz corpora (ASan+UBSan), a short fuzzing run of every target (if clang's libFuzzer is there
# or installable; LX_FUZZ_SECONDS, default 10, 0 skips), and the secrets test.
#
# Usage: tests/reliability/run.sh [debug|release]   (the Rust build must exist: cargo build --workspace)
# Full-size runs and the figures of RELIABILITY.md: scripts/reliability.sh.
# Prints each part's output and "N passed, N failed" (parts) last; exits non-zero on any failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
profile=${1:-debug}
target=${CARGO_TARGET_DIR:-$root/target}
lib="$target/$profile"
out=$(mktemp -d)
# Kill only what was started: an empty PID must never become `kill 0` (the whole process group;
# bash unsets a coproc's PID variable once it exits).
trap 'for p in ${SANDBOX_PID:-} ${TLS_PID:-}; do kill "$p" 2>/dev/null; done; rm -rf "$out"' EXIT
export LC_ALL=C

passed=0 failed=0 failures=()
part() { # part NAME COMMAND...: runs a part, counts it
  local name=$1; shift
  printf '\n=== %s\n' "$name"
  local t0=$SECONDS
  if "$@"; then
    passed=$((passed + 1)); echo "--- $name: ok ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "--- $name: FAILED ($((SECONDS - t0)) s)"
  fi
}

cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -I"$root/include" -I"$root/tests/c" -I"$here")
asan=(-g -fsanitize=address,undefined -fno-omit-frame-pointer)
link=(-L"$lib" -lleanix -Wl,-rpath,"$lib" -lpthread)
common=("$here/common.c" "$root/tests/c/sandbox_control.c")
build() { # build NAME [EXTRA FLAGS...]
  local name=$1; shift
  cc "${cflags[@]}" "$@" -o "$out/$name$([ $# -gt 0 ] && echo _asan)" "$here/$name.c" "${common[@]}" "${link[@]}"
}
for p in fault_matrix soak lifecycle tls; do build $p || exit 1; done
for p in fault_matrix lifecycle; do build $p "${asan[@]}" || exit 1; done
if ! nm "$out/fault_matrix_asan" | grep -q __asan_init && ! ldd "$out/fault_matrix_asan" | grep -q libasan; then
  echo "AddressSanitizer is not linked into the test binaries"; exit 1
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

rand() { head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32; }
ADMIN=$(rand)
spares=("spare1-$(rand)" "spare2-$(rand)" "spare3-$(rand)")
start_sandbox() {
  coproc SANDBOX { exec "$lib/lx-sandbox" --port 0 --api-token "$ADMIN" --api-token "${spares[0]}" \
    --api-token "${spares[1]}" --api-token "${spares[2]}" --fact-sheets 200; }
  read -r -u "${SANDBOX[0]}" LX_SANDBOX_URL
  export LX_SANDBOX_URL LX_SANDBOX_TOKEN=$ADMIN
}

# Revocations stay for the sandbox's life, so the matrix gets a sandbox of its own.
matrix() {
  start_sandbox
  LX_SANDBOX_SPARE_TOKENS=$(IFS=,; echo "${spares[*]}") "$@"
  local rc=$?
  kill "$SANDBOX_PID"; wait "$SANDBOX_PID" 2>/dev/null
  return $rc
}
part "fault matrix" matrix "$out/fault_matrix"
part "fault matrix, ASan+UBSan" matrix "$out/fault_matrix_asan"

start_sandbox
part "load and soak: 16 threads x 800 GETs, 5 s tokens, 5 % 503 + 1 % drops, max_attempts=6" \
  "$out/soak" 16 800 6
part "lifecycle: free/close while in flight, 60 cycles x 16 threads" "$out/lifecycle" 60 16
part "lifecycle, ASan+UBSan: 40 cycles x 16 threads" "$out/lifecycle_asan" 40 16 --no-rss
if [ "${LX_SKIP_VALGRIND:-0}" != 1 ] && command -v valgrind >/dev/null; then
  part "lifecycle, valgrind: 6 cycles x 8 threads" valgrind --quiet --error-exitcode=1 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite "$out/lifecycle" 6 8 --no-rss
fi

tls() {
  coproc TLS { exec "$lib/lx-sandbox" --port 0 --tls --ca-out "$out/ca.pem" --api-token "$ADMIN" --fact-sheets 20; }
  read -r -u "${TLS[0]}" tls_url
  LX_TLS_URL=$tls_url LX_TLS_CA="$out/ca.pem" "$out/tls" verify
  local rc=$?
  kill "$TLS_PID"
  return $rc
}
part "TLS: untrusted -> LX_ERR_TLS, ca_file/ca_pem -> OK" tls
refuse() {
  # A network namespace of our own with a non-loopback address (198.18.0.1, RFC 2544 test range)
  # on its loopback device: the listener there is reachable, yet http:// to it must never connect.
  if unshare -n true 2>/dev/null && command -v ip >/dev/null; then
    unshare -n sh -c "ip link set lo up && ip addr add 198.18.0.1/32 dev lo && '$out/tls' refuse 198.18.0.1"
  else
    echo "(no network namespace available: using 0.0.0.0, which also reaches local listeners)"
    "$out/tls" refuse 0.0.0.0
  fi
}
part "http:// to a non-loopback host refused before any connection" refuse

replay() {
  local ok=0
  for t in ffi_options ffi_request ffi_server; do
    cc -std=c11 -Wall -Wextra -Werror "${asan[@]}" -I"$root/include" -o "$out/replay_$t" \
      "$root/fuzz/harness/$t.c" "$root/fuzz/harness/replay_main.c" "${link[@]}" || return 1
    echo "$t:"
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 "$out/replay_$t" "$root/fuzz/corpus/$t" "$root/fuzz/regressions/$t" || ok=1
  done
  return $ok
}
part "fuzz corpora of the C ABI targets, replayed (ASan+UBSan)" replay

fuzz_seconds=${LX_FUZZ_SECONDS:-10}
if [ "$fuzz_seconds" != 0 ]; then
  part "fuzzing, $fuzz_seconds s per target" "$root/scripts/fuzz.sh" all "$fuzz_seconds"
fi

kill "$SANDBOX_PID" 2>/dev/null
part "secrets: no credential in any output (Rust, C, CLI, Python, Java)" "$root/tests/secrets/run.sh" "$profile"

printf '\n=== reliability: %s\n' "${failures[*]:-all parts passed}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
