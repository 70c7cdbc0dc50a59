#!/usr/bin/env bash
# Builds the C tests against the committed header, links them with the shared and the static
# library of the build tree, and runs them against a fresh lx-sandbox: plain, under valgrind
# (with the suppressions file the library installs), and with AddressSanitizer +
# UndefinedBehaviorSanitizer. Programs: test_leanix (the whole API, also linked statically),
# test_failures (failed calls keep their answer, GraphQL errors, bounded bodies, paging, framing
# headers), test_calls (deadlines, cancellation, asynchronous calls, callbacks, rate options) and
# test_writes (LDIF runs and fact-sheet writes), test_token_cache (the token file shared by processes, issue 18),
# test_webhooks (instanceUrl routing, PULL webhook batches and commits). Also checks the shared library's soname and that its exported
# symbols and the header's declarations are the same set.
#
# Usage: tests/c/run.sh [debug|release]   (default debug; the Rust build must exist)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh"
lx_init "${1:-debug}"
lib=$LX_LIB out=$LX_TMP
lx_link_soname

cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -I"$LX_ROOT/include")
helpers=("$here/sandbox_control.c" "$here/test_client.c")
programs=(test_failures test_calls test_writes test_token_cache test_webhooks)
shared=(-L"$lib" -lleanix -Wl,-rpath,"$lib" -lpthread)
read -ra native <"$LX_ROOT/packaging/native-static-libs"

echo "== soname and exported symbols vs header"
soname=$(readelf -d "$lib/libleanix.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')
[ "$soname" = libleanix.so.0 ] || { echo "soname is '$soname', not libleanix.so.0 (ffi/build.rs)"; exit 1; }
exported=$(nm -D --defined-only "$lib/libleanix.so" | awk '$2 == "T" && $3 ~ /^lx_/ {print $3}' | sort)
declared=$(grep -oE '\blx_[a-z_0-9]+\(' "$LX_ROOT/include/leanix.h" | tr -d '(' | sort -u)
if [ "$exported" != "$declared" ]; then
  echo "exported and declared symbols differ:"; diff <(echo "$exported") <(echo "$declared") || true
  exit 1
fi
others=$(nm -D --defined-only "$lib/libleanix.so" | awk '$3 !~ /^lx_/ {print $3}')
[ -z "$others" ] || { echo "libleanix.so exports more than lx_*:"; echo "$others" | head; exit 1; }
echo "soname $soname; $(echo "$exported" | wc -l) symbols exported, all lx_*, all declared, none missing"

echo "== build (shared, static, C++)"
cc "${cflags[@]}" -I"$here" -o "$out/test_shared" "$here/test_leanix.c" "${helpers[@]}" "${shared[@]}"
cc "${cflags[@]}" -I"$here" -o "$out/test_static" "$here/test_leanix.c" "${helpers[@]}" "$lib/libleanix.a" "${native[@]}"
for p in "${programs[@]}"; do
  cc "${cflags[@]}" -I"$here" -o "$out/$p" "$here/$p.c" "${helpers[@]}" "${shared[@]}"
done
c++ -std=c++17 -Wall -Wextra -Werror -I"$LX_ROOT/include" -o "$out/test_cpp" "$here/test_header.cpp" "${shared[@]}"
if ! readelf -d "$out/test_shared" | grep "NEEDED.*\[$soname\]" >/dev/null; then
  echo "test_shared does not load $soname"; exit 1
fi
if nm "$out/test_static" | grep ' T lx_get$' >/dev/null && ! readelf -d "$out/test_static" | grep libleanix >/dev/null; then
  echo "shared binary needs $soname; static binary carries lx_get itself"
else
  echo "static link check failed"; exit 1
fi

echo "== start lx-sandbox"
start_sandbox LX_SANDBOX
export LX_SANDBOX_URL LX_SANDBOX_TOKEN LX_SANDBOX_VIEWER_TOKEN
echo "sandbox at $LX_SANDBOX_URL"
# test_webhooks: a sandbox whose tokens name a second listener in instanceUrl.
start_sandbox LX_ROUTED --instance-listener --fact-sheets 50
export LX_ROUTED_URL LX_ROUTED_TOKEN

echo "== C++ header test"
"$out/test_cpp"
echo "== C tests, shared library"
"$out/test_shared"
echo "== C tests, static library"
"$out/test_static"
for p in "${programs[@]}"; do
  echo "== $p, shared library"
  "$out/$p"
done

if [ "${LX_SKIP_VALGRIND:-0}" != 1 ]; then
  # What a user runs (README, "C"): every leak kind an error, only the library's process-wide
  # state suppressed. The forked child's view of the parent's threads is not checked.
  echo "== C tests under valgrind"
  vg=(valgrind --quiet --error-exitcode=1 --leak-check=full --suppressions="$LX_ROOT/packaging/valgrind.supp"
    --child-silent-after-fork=yes)
  "${vg[@]}" "$out/test_shared"
  for p in "${programs[@]}"; do
    echo "== $p under valgrind (outcomes only: times are not asserted there, see check.h)"
    LX_TEST_VALGRIND=1 "${vg[@]}" "$out/$p"
  done
fi

if [ "${LX_SKIP_SANITIZERS:-0}" != 1 ]; then
  echo "== C tests with AddressSanitizer + UndefinedBehaviorSanitizer"
  cc "${cflags[@]}" -I"$here" -g -fsanitize=address,undefined -fno-omit-frame-pointer -o "$out/test_asan" \
    "$here/test_leanix.c" "${helpers[@]}" "${shared[@]}"
  if ! ldd "$out/test_asan" | grep libasan >/dev/null; then
    echo "AddressSanitizer is not linked into the test binary"; exit 1
  fi
  echo "sanitizer runtime linked: $(ldd "$out/test_asan" | grep -oE 'lib(asan|ubsan)[^ ]*' | tr '\n' ' ')"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  "$out/test_asan"
  for p in "${programs[@]}"; do
    echo "== $p with AddressSanitizer + UndefinedBehaviorSanitizer"
    cc "${cflags[@]}" -I"$here" -g -fsanitize=address,undefined -fno-omit-frame-pointer -o "$out/${p}_asan" \
      "$here/$p.c" "${helpers[@]}" "${shared[@]}"
    "$out/${p}_asan"
  done
fi
echo "C tests: all passed"
