#!/usr/bin/env bash
# Full-size reliability runs, for the figures of RELIABILITY.md (tests/reliability/run.sh is the
# CI-sized suite). Writes everything to target/reliability/ (full-run.txt: the outputs; the
# SOAK/LIFECYCLE/fuzz lines are the figures to copy).
#
# Usage: scripts/reliability.sh [debug|release] [FUZZ_SECONDS]
#   - fault matrix (every case, plain build)
#   - load and soak: 64 threads x 2000 GETs sharing one client, 5 s tokens, 5 % 503 + 1 % dropped
#     connections, with max_attempts=6 (must be error-free) and with the default 3 (reported:
#     the expected number of errors is 128000 x p^3, see RELIABILITY.md)
#   - a longer soak: 64 threads x 10000 GETs, max_attempts=7 (RSS over minutes; 640000 x p^6
#     is 0.03, so 6 attempts would fail one run in 35)
#   - lifecycle: 400 cycles x 32 threads
#   - fuzzing: every target for FUZZ_SECONDS (default 300)
#   - the secrets test
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
profile=${1:-debug}
fuzz_seconds=${2:-300}
target=${CARGO_TARGET_DIR:-$root/target}
lib="$target/$profile"
dir="$target/reliability"
mkdir -p "$dir"
log="$dir/full-run.txt"
: >"$log"
exec > >(tee -a "$log") 2>&1
echo "reliability full run, $(date -u +%FT%TZ), $profile build, $(nproc) cores, commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo '+changes')"

cc_flags=(-std=c11 -O1 -Wall -Wextra -Werror -I"$root/include" -I"$root/tests/c" -I"$root/tests/reliability")
for p in fault_matrix soak lifecycle; do
  cc "${cc_flags[@]}" -o "$dir/$p" "$root/tests/reliability/$p.c" "$root/tests/reliability/common.c" \
    "$root/tests/c/sandbox_control.c" -L"$lib" -lleanix -Wl,-rpath,"$lib" -lpthread || exit 1
done
rand() { head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32; }
ADMIN=$(rand) S1="spare1-$(rand)" S2="spare2-$(rand)" S3="spare3-$(rand)"
coproc SANDBOX { exec "$lib/lx-sandbox" --port 0 --api-token "$ADMIN" --api-token "$S1" --api-token "$S2" --api-token "$S3" --fact-sheets 200; }
read -r -u "${SANDBOX[0]}" LX_SANDBOX_URL
export LX_SANDBOX_URL LX_SANDBOX_TOKEN=$ADMIN LX_SANDBOX_SPARE_TOKENS="$S1,$S2,$S3"
trap 'for p in ${SANDBOX_PID:-}; do kill "$p" 2>/dev/null; done' EXIT

echo; echo "=== fault matrix"; "$dir/fault_matrix"
echo; echo "=== soak 64 x 2000, max_attempts=6"; "$dir/soak" 64 2000 6
echo; echo "=== soak 64 x 2000, default max_attempts (3): errors reported, not asserted"; "$dir/soak" 64 2000 --report-only
echo; echo "=== soak 64 x 10000, max_attempts=7"; "$dir/soak" 64 10000 7
echo; echo "=== lifecycle 400 x 32"; "$dir/lifecycle" 400 32
kill $SANDBOX_PID
echo; echo "=== fuzzing, $fuzz_seconds s per target"; "$root/scripts/fuzz.sh" all "$fuzz_seconds"
echo; echo "=== secrets"; "$root/tests/secrets/run.sh" "$profile"
echo; echo "figures in $log"
