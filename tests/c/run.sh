#!/usr/bin/env bash
# Builds the C tests against the committed header, links them with the shared and the static
# library, and runs them against a fresh lx-sandbox: plain, under valgrind, and with
# AddressSanitizer + UndefinedBehaviorSanitizer. Also checks that the exported symbols and the
# header's declarations are the same set.
#
# Usage: tests/c/run.sh [debug|release]   (default debug; the Rust build must exist)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
profile=${1:-debug}
target=${CARGO_TARGET_DIR:-$root/target}
lib="$target/$profile"
out=$(mktemp -d)
# An empty PID must never become `kill 0` (the whole process group).
trap 'for p in ${sandbox_pid:-}; do kill "$p" 2>/dev/null; done; rm -rf "$out"' EXIT

cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -I"$root/include")
static_libs=(-lpthread -ldl -lm -lrt -lutil)

echo "== exported symbols vs header"
exported=$(nm -D --defined-only "$lib/libleanix.so" | awk '$2 == "T" && $3 ~ /^lx_/ {print $3}' | sort)
declared=$(grep -oE '\blx_[a-z_0-9]+\(' "$root/include/leanix.h" | tr -d '(' | sort -u)
if [ "$exported" != "$declared" ]; then
  echo "exported and declared symbols differ:"; diff <(echo "$exported") <(echo "$declared") || true
  exit 1
fi
echo "$(echo "$exported" | wc -l) symbols exported, all declared, none missing"

echo "== build (shared, static, C++)"
cc "${cflags[@]}" -o "$out/test_shared" "$here/test_leanix.c" "$here/sandbox_control.c" -L"$lib" -lleanix -Wl,-rpath,"$lib" -lpthread
cc "${cflags[@]}" -o "$out/test_static" "$here/test_leanix.c" "$here/sandbox_control.c" "$lib/libleanix.a" "${static_libs[@]}"
c++ -std=c++17 -Wall -Wextra -Werror -I"$root/include" -o "$out/test_cpp" "$here/test_header.cpp" -L"$lib" -lleanix -Wl,-rpath,"$lib"
nm "$out/test_static" > "$out/static.nm"
ldd "$out/test_static" > "$out/static.ldd"
if grep -q ' T lx_get$' "$out/static.nm" && ! grep -q libleanix "$out/static.ldd"; then
  echo "static binary carries lx_get itself"
else
  echo "static link check failed"; exit 1
fi

echo "== start lx-sandbox"
coproc SANDBOX { "$target/$profile/lx-sandbox" --port 0; }
sandbox_pid=$SANDBOX_PID
read -r -u "${SANDBOX[0]}" LX_SANDBOX_URL
read -r -u "${SANDBOX[0]}" LX_SANDBOX_TOKEN
read -r -u "${SANDBOX[0]}" LX_SANDBOX_VIEWER_TOKEN
export LX_SANDBOX_URL LX_SANDBOX_TOKEN LX_SANDBOX_VIEWER_TOKEN
echo "sandbox at $LX_SANDBOX_URL"

echo "== C++ header test"
"$out/test_cpp"
echo "== C tests, shared library"
"$out/test_shared"
echo "== C tests, static library"
"$out/test_static"

if [ "${LX_SKIP_VALGRIND:-0}" != 1 ]; then
  echo "== C tests under valgrind"
  valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite --child-silent-after-fork=yes "$out/test_shared"
fi

if [ "${LX_SKIP_SANITIZERS:-0}" != 1 ]; then
  echo "== C tests with AddressSanitizer + UndefinedBehaviorSanitizer"
  cc "${cflags[@]}" -g -fsanitize=address,undefined -fno-omit-frame-pointer -o "$out/test_asan" \
    "$here/test_leanix.c" "$here/sandbox_control.c" -L"$lib" -lleanix -Wl,-rpath,"$lib" -lpthread
  ldd "$out/test_asan" > "$out/asan.ldd"
  if ! grep -q libasan "$out/asan.ldd"; then
    echo "AddressSanitizer is not linked into the test binary"; exit 1
  fi
  echo "sanitizer runtime linked: $(grep -oE 'lib(asan|ubsan)[^ ]*' "$out/asan.ldd" | tr '\n' ' ')"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$out/test_asan"
fi
echo "C tests: all passed"
