#!/usr/bin/env bash
# Runs the tests of the Java binding against a real lx-sandbox, with the library named here:
#   JDK 17: leanix-api + leanix-jna                    (mvn -B test)
#   JDK 25: leanix-api + leanix-jna + leanix-panama    (mvn -B test; the jdk22 profile adds Panama)
# Prints Surefire's "Tests run:" lines and errors; full logs in target/run-tests-*.log.
# Exits non-zero if either run fails.
#
# JDK17_HOME / JDK25_HOME choose the JDKs; LEANIX_LIBRARY and LX_SANDBOX (or LX_SANDBOX_BIN) the
# artifacts (default: the newer of release and debug in cargo's target directory, CARGO_TARGET_DIR
# or this repository's target/, built in debug if neither exists). They reach the tests as
# -Dleanix.test.library / -Dleanix.test.sandbox, and leanix-native's own cargo build is skipped
# (-Dleanix.native.skip=true): `mvn install` (install-test.sh) is what builds and bundles the
# release library.
set -u -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh"
lx_paths debug # LX_ROOT and LX_TARGET; the profile of the artifacts is the newer build, chosen below
jdk17=${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
jdk25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

newest() { # newest existing file among the arguments
    local best=""
    for f in "$@"; do
        if [ -f "$f" ] && { [ -z "$best" ] || [ "$f" -nt "$best" ]; }; then best=$f; fi
    done
    printf '%s' "$best"
}

export LX_SANDBOX=${LX_SANDBOX:-${LX_SANDBOX_BIN:-}}
if [ -z "${LEANIX_LIBRARY:-}" ] || [ -z "$LX_SANDBOX" ]; then
    lib=$(newest "$LX_TARGET/release/libleanix.so" "$LX_TARGET/debug/libleanix.so")
    sandbox=$(newest "$LX_TARGET/release/lx-sandbox" "$LX_TARGET/debug/lx-sandbox")
    if [ -z "$lib" ] || [ -z "$sandbox" ]; then
        echo "run-tests.sh: building libleanix and lx-sandbox (debug)"
        (cd "$LX_ROOT" && cargo build -q -p leanix-ffi -p leanix-sandbox) || exit 1
        lib=$(newest "$LX_LIB/libleanix.so")
        sandbox=$(newest "$LX_LIB/lx-sandbox")
    fi
    export LEANIX_LIBRARY=${LEANIX_LIBRARY:-$lib}
    export LX_SANDBOX=${LX_SANDBOX:-$sandbox}
fi
echo "libleanix:  $LEANIX_LIBRARY"
echo "lx-sandbox: $LX_SANDBOX"

mkdir -p "$here/target"
status=0
run() { # label java_home maven-args...
    local label=$1 home=$2
    shift 2
    local log="$here/target/run-tests-$label.log"
    if [ ! -x "$home/bin/java" ]; then
        echo "== $label: no JDK at $home" >&2
        status=1
        return
    fi
    echo "== $label ($("$home/bin/java" -version 2>&1 | head -1))"
    local opts=${MAVEN_OPTS:-}
    case $label in *25*) opts="$opts --sun-misc-unsafe-memory-access=allow" ;; esac # Maven's Guava
    (cd "$here" && JAVA_HOME=$home MAVEN_OPTS=$opts mvn -B -ntp -Dstyle.color=never -Dleanix.native.skip=true \
        -Dleanix.test.library="$LEANIX_LIBRARY" -Dleanix.test.sandbox="$LX_SANDBOX" "$@") >"$log" 2>&1
    local rc=$?
    # Surefire's summaries always; at most 40 error lines (the log has them all).
    grep -E 'Tests run:|\[ERROR\]|BUILD (SUCCESS|FAILURE)' "$log" \
        | grep -v -E '^\[ERROR\] *$|Re-run Maven|Help 1|full stack trace|-> \[Help|mvn <args>|resume the build|individual test results|dump files|For more information|http://cwiki' \
        | awk '/^\[ERROR\]/ && !/Tests run:/ { if (++errors > 40) { if (errors == 41) print "[ERROR] ... (more in the log)"; next } } { print }'
    if [ $rc -ne 0 ]; then
        echo "== $label FAILED (exit $rc); log: $log"
        status=1
    fi
}

run jdk17-jna "$jdk17" test
run jdk25-panama "$jdk25" test
if [ $status -eq 0 ]; then
    echo "Java binding: all tests passed (JNA on JDK 17; Panama and JNA on JDK 25)"
else
    echo "Java binding: FAILED"
fi
exit $status
