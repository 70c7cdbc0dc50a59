#!/usr/bin/env bash
# libleanix installed and used as a C programmer would, in a scratch directory outside the
# repository:
#   - `make install PREFIX=<scratch>`: the versioned shared library and its links, the archive
#     (debug sections stripped), the header, leanix.pc and leanix-static.pc, the CMake package and
#     the valgrind suppressions; the .pc's system libraries equal rustc's native-static-libs;
#   - the README's own program, built with the README's own command line (it must find
#     libleanix.so.0 when run);
#   - bindings-examples/c built with its Makefile through pkg-config, shared and static, and with
#     its CMakeLists.txt through find_package(leanix) after the installed tree was moved elsewhere
#     (the package is relocatable), shared and static; `find_package(leanix 1.0)` must fail;
#   - every program run against lx-sandbox under valgrind as the README tells users to run it
#     (all leak kinds are errors, the installed suppressions file), and a program that leaks a
#     block of its own must still fail that command;
#   - the archive's global symbols, by kind (the README lists them), with no unprefixed C symbol.
# Prints the install and build times.
#
# Usage: tests/c/install.sh [release|debug]   (default release, what `make install` builds; the
#        debug Rust build must exist for lx-sandbox)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh"
lx_init "${1:-release}"
scratch=$LX_TMP
case $scratch/ in "$LX_ROOT"/*) echo "the scratch directory $scratch is inside the repository"; exit 1 ;; esac
prefix="$scratch/prefix"
# The sandbox of the tests' debug build: the library under test is $LX_PROFILE's.
export LX_SANDBOX_BIN=${LX_SANDBOX_BIN:-$LX_TARGET/debug/lx-sandbox}
fail() { echo "FAIL: $*"; exit 1; }
timed() { # timed LABEL COMMAND...: runs it, records "LABEL: N.N s"
  local label=$1 t0 ms
  shift
  t0=$(date +%s%N)
  "$@"
  ms=$((($(date +%s%N) - t0) / 1000000))
  times+=("$label: $((ms / 1000)).$((ms % 1000 / 100)) s")
}
times=()

echo "== make install PREFIX=$prefix (PROFILE=$LX_PROFILE)"
timed "make install ($LX_PROFILE build present)" \
  make -s -C "$LX_ROOT" install PREFIX="$prefix" PROFILE="$LX_PROFILE" TARGET_DIR="$LX_TARGET"
cd "$prefix"
for f in include/leanix.h lib/libleanix.so.0.1.0 lib/libleanix.a lib/pkgconfig/leanix.pc \
  lib/pkgconfig/leanix-static.pc lib/cmake/leanix/leanix-config.cmake \
  lib/cmake/leanix/leanix-config-version.cmake share/leanix/valgrind.supp; do
  [ -f "$f" ] && [ ! -L "$f" ] || fail "$f is not installed as a file"
done
[ "$(readlink lib/libleanix.so.0)" = libleanix.so.0.1.0 ] || fail "lib/libleanix.so.0 does not point at libleanix.so.0.1.0"
[ "$(readlink lib/libleanix.so)" = libleanix.so.0 ] || fail "lib/libleanix.so does not point at libleanix.so.0"
readelf -d lib/libleanix.so.0.1.0 | grep 'Library soname: \[libleanix.so.0\]' >/dev/null || fail "installed soname"
if objdump -h lib/libleanix.a | grep -E '^ *[0-9]+ \.debug_' >/dev/null; then fail "libleanix.a still has debug sections"; fi
cmp -s "$LX_ROOT/include/leanix.h" include/leanix.h || fail "installed header differs from include/leanix.h"
echo "installed: $(find . \( -type f -o -type l \) | sort | tr '\n' ' ')"
echo "sizes: libleanix.so.0.1.0 $(du -k lib/libleanix.so.0.1.0 | cut -f1) KiB, libleanix.a $(du -k lib/libleanix.a | cut -f1) KiB" \
  "(built: $(du -k "$LX_LIB/libleanix.a" | cut -f1) KiB)"

echo "== pkg-config"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
read -r native <"$LX_ROOT/packaging/native-static-libs"
printed=$(cd "$LX_ROOT" && cargo rustc -q -p leanix-ffi --lib -- --print native-static-libs 2>&1 |
  sed -n 's/.*native-static-libs: //p' | tail -1)
[ "$printed" = "$native" ] || fail "rustc says the archive needs '$printed', packaging/native-static-libs says '$native'"
pc() { # pkg-config ARGS, its words separated by single spaces
  local words
  read -ra words <<<"$(pkg-config "$@")"
  echo "${words[*]}"
}
[ "$(pc --libs leanix)" = "-L$prefix/lib -lleanix" ] || fail "pkg-config --libs leanix: $(pc --libs leanix)"
[ "$(pc --static --libs leanix)" = "-L$prefix/lib -lleanix $native" ] || fail "pkg-config --static --libs leanix"
[ "$(pc --libs leanix-static)" = "$prefix/lib/libleanix.a $native" ] || fail "pkg-config --libs leanix-static"
[ "$(pc --cflags leanix)" = "-I$prefix/include" ] || fail "pkg-config --cflags leanix: $(pc --cflags leanix)"
supp=$(pkg-config --variable=valgrind_suppressions leanix)
[ "$supp" = "$prefix/share/leanix/valgrind.supp" ] || fail "valgrind_suppressions variable: $supp"
echo "leanix: $(pc --cflags --libs leanix)"
echo "leanix --static: $(pc --static --libs leanix)"
echo "leanix-static: $(pc --libs leanix-static)"

echo "== builds with pkg-config"
mkdir "$scratch/readme" "$scratch/c"
cp "$LX_ROOT"/bindings-examples/c/{example.c,Makefile,CMakeLists.txt} "$scratch/c/"
# The README's C program and the `cc` line of its C section, with its PREFIX ($HOME/.local) ours.
awk '/^## C$/ {c = 1} /^## / && !/^## C$/ {c = 0} c && /^```c$/ {f = 1; next} f && /^```$/ {exit} f' \
  "$LX_ROOT/README.md" >"$scratch/readme/app.c"
readme_cc=$(awk '/^## C$/ {c = 1} /^## / && !/^## C$/ {c = 0} c && /^cc / {print; exit}' "$LX_ROOT/README.md" |
  sed 's/ *#.*//')
[ -s "$scratch/readme/app.c" ] && [ -n "$readme_cc" ] || fail "no C program or cc line in the README's C section"
echo "README: $readme_cc"
(cd "$scratch/readme" && HOME=/nonexistent eval "${readme_cc//\$HOME\/.local/$prefix}") || fail "the README's cc line"
[ -x "$scratch/readme/a.out" ] || fail "the README's cc line made no a.out"
timed "make example (pkg-config, shared)" make -s -C "$scratch/c" example LDFLAGS="-Wl,-rpath,$prefix/lib"
timed "make example-static (pkg-config, static)" make -s -C "$scratch/c" example-static
readelf -d "$scratch/c/example" | grep 'NEEDED.*\[libleanix.so.0\]' >/dev/null || fail "example does not load libleanix.so.0"
if readelf -d "$scratch/c/example-static" | grep libleanix >/dev/null; then fail "example-static loads libleanix"; fi

start_sandbox SB
export LEANIX_HOST=$SB_URL LEANIX_API_TOKEN=$SB_TOKEN
used_supp=()
under_valgrind() { # under_valgrind NAME EXIT PROGRAM ARGS...: the README's command, no error, the
  local name=$1 want=$2 rc=0 # program's exit status EXIT; its output in NAME.out
  shift 2
  valgrind --leak-check=full --error-exitcode=1 --suppressions="$supp" -v --log-file="$scratch/$name.vg" \
    "$@" >"$scratch/$name.out" 2>&1 || rc=$?
  used_supp+=("$(sed -n 's/.*used_suppression: *[0-9]* \(.*\) [^ ]*:[0-9]* suppressed:.*/\1/p' "$scratch/$name.vg")")
  if [ $rc != "$want" ] || ! grep 'ERROR SUMMARY: 0 errors' "$scratch/$name.vg" >/dev/null; then
    cat "$scratch/$name.out"; grep -A20 'lost in loss record\|Invalid\|uninitialised' "$scratch/$name.vg" | head -60
    fail "$name under valgrind: exit $rc (expected $want), $(grep -o 'ERROR SUMMARY: [0-9]* errors' "$scratch/$name.vg")"
  fi
}
example_ok() { # the example's output: claims, a GET, a GraphQL query, an expected error
  grep '"workspaceName"' "$1" >/dev/null && grep 'GET factSheets: HTTP 200' "$1" >/dev/null &&
    grep 'expected error: LX_ERR_HTTP, HTTP 404' "$1" >/dev/null || { cat "$1"; fail "unexpected output of $1"; }
}

echo "== the README's program (its error path: the sandbox is http://, the program sets no option)"
under_valgrind readme 1 "$scratch/readme/a.out"
grep '^LX_ERR_CONFIG: ' "$scratch/readme.out" >/dev/null || { cat "$scratch/readme.out"; fail "README program's output"; }
echo "ran, found libleanix.so.0, valgrind clean: $(cat "$scratch/readme.out")"
echo "== pkg-config builds against the sandbox, under valgrind"
under_valgrind example 0 "$scratch/c/example" --insecure-loopback
example_ok "$scratch/example.out"
under_valgrind example-static 0 "$scratch/c/example-static" --insecure-loopback
example_ok "$scratch/example-static.out"
echo "example and example-static: claims, GET, GraphQL, error handling; valgrind clean"

echo "== CMake: find_package(leanix) from the installed tree, moved elsewhere"
command -v cmake >/dev/null || fail "cmake is not installed"
mv "$prefix" "$scratch/moved"
supp="$scratch/moved/share/leanix/valgrind.supp"
timed "cmake configure" cmake -S "$scratch/c" -B "$scratch/build" -DCMAKE_PREFIX_PATH="$scratch/moved" >"$scratch/cmake.log" ||
  { cat "$scratch/cmake.log"; fail "cmake configure"; }
timed "cmake build (example, example-static)" cmake --build "$scratch/build" >>"$scratch/cmake.log" ||
  { cat "$scratch/cmake.log"; fail "cmake build"; }
readelf -d "$scratch/build/example" | grep "R.*PATH.*$scratch/moved/lib" >/dev/null || fail "CMake's example has no run path to the moved lib/"
under_valgrind cmake-example 0 "$scratch/build/example" --insecure-loopback
example_ok "$scratch/cmake-example.out"
under_valgrind cmake-example-static 0 "$scratch/build/example-static" --insecure-loopback
example_ok "$scratch/cmake-example-static.out"
echo "example (leanix::leanix) and example-static (leanix::leanix_static): valgrind clean"
mkdir "$scratch/v1"
printf 'cmake_minimum_required(VERSION 3.16)\nproject(v1 LANGUAGES C)\nfind_package(leanix 1.0 CONFIG REQUIRED)\n' \
  >"$scratch/v1/CMakeLists.txt"
if cmake -S "$scratch/v1" -B "$scratch/v1/build" -DCMAKE_PREFIX_PATH="$scratch/moved" >"$scratch/v1.log" 2>&1; then
  fail "find_package(leanix 1.0) accepted version 0.1.0"
fi
grep 'leanix-config.cmake, version: 0.1.0' "$scratch/v1.log" >/dev/null || { cat "$scratch/v1.log"; fail "find_package(leanix 1.0)"; }
echo "find_package(leanix 1.0) refuses 0.1.0"

echo "== the suppressions hide only the library's own state"
cc -std=c11 -O0 -I"$scratch/moved/include" -o "$scratch/leak" "$here/leak.c" \
  -L"$scratch/moved/lib" -lleanix -Wl,-rpath,"$scratch/moved/lib"
rc=0
valgrind --leak-check=full --error-exitcode=1 --suppressions="$supp" --log-file="$scratch/leak.vg" "$scratch/leak" \
  >/dev/null || rc=$?
if [ $rc != 1 ] || ! grep 'definitely lost: 64 bytes in 1 blocks' "$scratch/leak.vg" >/dev/null ||
  ! grep 'possibly lost: 0 bytes' "$scratch/leak.vg" >/dev/null; then
  cat "$scratch/leak.vg"; fail "a program's own leak: exit $rc"
fi
echo "a program that loses 64 bytes of its own fails (exit 1, definitely lost: 64 bytes)"
while read -r entry; do
  printf '%s\n' "${used_supp[@]}" | grep -F -- "$entry" >/dev/null || echo "note: no program needed the suppression '$entry'"
done < <(sed -n '/^{/{n;s/^ *//;p}' "$scratch/moved/share/leanix/valgrind.supp")

echo "== global symbols of libleanix.a"
nm -g --defined-only "$scratch/moved/lib/libleanix.a" 2>/dev/null | awk 'NF == 3 {print $3}' >"$scratch/archive.syms"
kinds() { # the archive's global symbols, counted by kind; OTHER: a kind nobody looked at
  awk '
    /^lx_/ {k = "lx_* (the API)"}
    /^(_ZN|_R)/ {k = "Rust-mangled (std, core, tokio, rustls, ...; hash-suffixed)"}
    /^anon\.[0-9a-f]+\./ {k = "anon.<hash>.N.llvm.N (LLVM constants)"}
    /^(DW\.ref\.)?rust_eh_personality$/ {k = "rust_eh_personality (and its weak DW.ref)"}
    /^ring_core_[0-9_]+_/ {k = "ring_core_<version>_* (ring crypto, C and assembly)"}
    /^__[a-z0-9_]+$/ && !/^__rust/ {k = "__* (compiler-rt builtins)"}
    {print (k == "" ? "OTHER " $0 : k); k = ""}' "$scratch/archive.syms" | sort | uniq -c | sort -rn
}
kinds
if kinds | grep ' OTHER ' >/dev/null; then fail "libleanix.a exports unprefixed symbols (above, OTHER)"; fi

printf '%s\n' "== times" "${times[@]}"
echo "C install: all passed"
