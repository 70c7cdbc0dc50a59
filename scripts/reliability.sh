#!/usr/bin/env bash
# Full-size reliability runs, for the figures of RELIABILITY.md (tests/reliability/run.sh is the
# CI-sized suite). Writes its output to target/reliability/full-run.txt (the SOAK/LIFECYCLE/fuzz
# lines are the figures to copy); the test programs live in a scratch directory of the run.
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
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
lx_init "${1:-debug}"
root=$LX_ROOT profile=$LX_PROFILE lib=$LX_LIB
lx_link_soname
fuzz_seconds=${2:-300}
bin=$LX_TMP # the programs: private to this run
dir="$LX_TARGET/reliability"
mkdir -p "$dir"
log="$dir/full-run.txt"
: >"$log"
exec > >(tee -a "$log") 2>&1
echo "reliability full run, $(date -u +%FT%TZ), $profile build, $(nproc) cores, commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo '+changes')"

cc_flags=(-std=c11 -O1 -Wall -Wextra -Werror -I"$root/include" -I"$root/tests/c" -I"$root/tests/reliability")
for p in fault_matrix soak lifecycle; do
  cc "${cc_flags[@]}" -o "$bin/$p" "$root/tests/reliability/$p.c" "$root/tests/reliability/common.c" \
    "$root/tests/c/sandbox_control.c" "$root/tests/c/test_client.c" -L"$lib" -lleanix -Wl,-rpath,"$lib" \
    -lpthread || exit 1
done
ADMIN=$(lx_rand) S1="spare1-$(lx_rand)" S2="spare2-$(lx_rand)" S3="spare3-$(lx_rand)"
start_sandbox LX_SANDBOX --api-token "$ADMIN" --api-token "$S1" --api-token "$S2" --api-token "$S3" \
  --fact-sheets 200 || exit 1
export LX_SANDBOX_URL LX_SANDBOX_TOKEN=$ADMIN LX_SANDBOX_SPARE_TOKENS="$S1,$S2,$S3"

echo; echo "=== fault matrix"; "$bin/fault_matrix"
echo; echo "=== soak 64 x 2000, max_attempts=6"; "$bin/soak" 64 2000 6
echo; echo "=== soak 64 x 2000, default max_attempts (3): errors reported, not asserted"; "$bin/soak" 64 2000 --report-only
echo; echo "=== soak 64 x 10000, max_attempts=7"; "$bin/soak" 64 10000 7
echo; echo "=== lifecycle 400 x 32"; "$bin/lifecycle" 400 32
stop_sandbox LX_SANDBOX
echo; echo "=== fuzzing, $fuzz_seconds s per target"; "$root/scripts/fuzz.sh" all "$fuzz_seconds"
echo; echo "=== secrets"; "$root/tests/secrets/run.sh" "$profile"
echo; echo "figures in $log"
