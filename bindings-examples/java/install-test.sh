#!/usr/bin/env bash
# Installs the Java binding the way a user does, then runs a user's application built on it:
#
#   1. mvn -B install on JDK 25 in this directory: leanix-api, leanix-native (cargo builds
#      libleanix and lx-sandbox in release, in the repository's target/ or CARGO_TARGET_DIR),
#      leanix-jna, leanix-panama, with their tests (against that library and sandbox);
#   2. the sample application (install-test/sample), copied to a scratch directory outside the
#      repository, that depends on org.libleanix:leanix-jna and :leanix-panama from the local
#      Maven repository only, shaded into one executable jar;
#   3. java -jar app.jar from /tmp, with no variable or property naming the library, against a
#      fresh lx-sandbox: JDK 17 must choose JNA, JDK 25 Panama, JDK 25 with -Dleanix.backend=jna
#      JNA; each must load libleanix from the jar (class path resource linux-x86-64/libleanix.so),
#      make exactly one token exchange and one authenticated GET (200, the ADMIN user's claims),
#      and print nothing on stderr (on JDK 25: no native-access warning, thanks to the jar's
#      Enable-Native-Access manifest entry).
#
# Usage: install-test.sh [--skip-tests]   (--skip-tests: mvn install -DskipTests)
# JDK17_HOME / JDK25_HOME choose the JDKs. Prints "install-test: N passed, M failed"; exits
# non-zero on any failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jdk17=${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
jdk25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
install_args=()
case "${1:-}" in
  --skip-tests) install_args+=(-DskipTests) ;;
  "") ;;
  *) echo "usage: $0 [--skip-tests]" >&2; exit 2 ;;
esac
. "$here/../../scripts/lib.sh"
lx_init release # the release build that mvn install makes; LX_TMP (removed at exit) is the scratch directory
scratch=$LX_TMP
case $scratch/ in "$LX_ROOT"/*) echo "install-test: the scratch directory $scratch is inside the repository"; exit 1 ;; esac
mvn=(mvn -B -ntp -Dstyle.color=never)
unsafe=--sun-misc-unsafe-memory-access=allow # Maven's own Guava on JDK 24+

passed=0 failed=0
check() { # description, then a command that must succeed
  local what=$1
  shift
  if "$@"; then
    passed=$((passed + 1)); echo "ok   $what"
  else
    failed=$((failed + 1)); echo "FAIL $what"
  fi
}

echo "== mvn -B install ${install_args[*]} (JDK 25; cargo builds libleanix and lx-sandbox in release)"
start=$SECONDS
if ! (cd "$here" && JAVA_HOME=$jdk25 MAVEN_OPTS="${MAVEN_OPTS:-} $unsafe" "${mvn[@]}" install "${install_args[@]}") \
    >"$scratch/install.log" 2>&1; then
  grep -E 'Tests run:|\[ERROR\]' "$scratch/install.log" | head -40
  echo "install-test: mvn install failed (log above)"; exit 1
fi
grep -E 'Tests run:.*Fail' "$scratch/install.log" | grep -v ' -- in ' || true
echo "mvn install: $((SECONDS - start)) s"
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$here/pom.xml" | head -1)

echo "== the sample application, outside the repository ($scratch/sample), shaded"
cp -r "$here/install-test/sample" "$scratch/sample"
start=$SECONDS
if ! (cd "$scratch/sample" && JAVA_HOME=$jdk25 MAVEN_OPTS="${MAVEN_OPTS:-} $unsafe" \
    "${mvn[@]}" -q package -Dleanix.version="$version") >"$scratch/sample.log" 2>&1; then
  tail -40 "$scratch/sample.log"; echo "install-test: the sample did not build"; exit 1
fi
jar=$scratch/sample/target/app.jar
echo "sample build: $((SECONDS - start)) s, $(du -k "$jar" | cut -f1) KiB"
jar_names() { python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$jar"; }
jar_text() { python3 -c 'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())' "$jar" "$1"; }
bundles_library() { jar_names | grep -x 'linux-x86-64/libleanix.so' >/dev/null; }
merges_services() {
  [ "$(jar_text META-INF/services/org.libleanix.spi.LeanixBackend | grep -v '^#' | sort | tr '\n' ' ')" = \
    "org.libleanix.jna.JnaBackend org.libleanix.panama.PanamaBackend " ]
}
enables_native_access() { jar_text META-INF/MANIFEST.MF | tr -d '\r' | grep -qx 'Enable-Native-Access: ALL-UNNAMED'; }
check "the jar carries libleanix at linux-x86-64/libleanix.so" bundles_library
check "the jar lists both backends in META-INF/services (merged by the shade plugin)" merges_services
check "the jar's manifest has Enable-Native-Access: ALL-UNNAMED" enables_native_access

echo "== lx-sandbox"
start_sandbox SB || { echo "install-test: lx-sandbox did not start"; exit 1; } # LX_SANDBOX_BIN, else the release build's
url=$SB_URL token=$SB_TOKEN
echo "lx-sandbox at $url"

sandbox_counts() { # prints token_exchanges and the count of factSheets 200 from /_sandbox/stats
  curl -fsS "$url/_sandbox/stats" | python3 -c 'import json,sys; s=json.load(sys.stdin)
print(s["token_exchanges"], s.get("requests", {}).get("factSheets", {}).get("200", 0))'
}

run_app() { # label, java home, expected backend, extra java options...
  local label=$1 home=$2 expected=$3 out err
  shift 3
  out=$scratch/$label.out err=$scratch/$label.err
  curl -fsS -X POST -H 'Content-Type: application/json' -d '{}' "$url/_sandbox/reset" >/dev/null
  echo "== $label: $(basename "$home")/bin/java $* -jar app.jar (from /tmp, no LEANIX_LIBRARY)"
  (cd /tmp && env -u LEANIX_LIBRARY -u LD_LIBRARY_PATH -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS \
    LEANIX_HOST="$url" LEANIX_API_TOKEN="$token" "$home/bin/java" "$@" -jar "$jar") >"$out" 2>"$err" || true
  sed 's/^/    /' "$out" "$err"
  check "$label: backend $expected" grep -qx "backend=$expected" "$out"
  check "$label: library from the jar" \
    grep -qxF "library=class path resource linux-x86-64/libleanix.so (jar:file:$jar!/linux-x86-64/libleanix.so)" "$out"
  check "$label: authenticated GET answered 200" grep -qx "status=200" "$out"
  check "$label: claims of the sandbox's ADMIN user" grep -qx "user=sandbox-admin" "$out"
  check "$label: exactly 1 token exchange and 1 GET (sandbox stats)" test "$(sandbox_counts)" = "1 1"
  check "$label: nothing on stderr (no warning)" test ! -s "$err"
}

run_app jdk17 "$jdk17" jna
run_app jdk25 "$jdk25" panama
run_app jdk25-jna "$jdk25" jna -Dleanix.backend=jna

echo "install-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
