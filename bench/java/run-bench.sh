#!/usr/bin/env bash
# The Java benchmark: libleanix over JNA and over Panama against a hand-coded
# java.net.http.HttpClient client, on one lx-sandbox, with 1 and 8 threads.
#
#   bench/java/run-bench.sh --quick                 # a few seconds per run
#   bench/java/run-bench.sh --json results.json     # also write the figures as JSON
#   bench/java/run-bench.sh --rounds 3 --check      # median of 3 rounds; exit 1 if a target is missed
#
# Uses the libleanix that `mvn install` bundles (release) and target/release/lx-sandbox
# (LX_SANDBOX / LX_SANDBOX_BIN override). Runs on JDK 25 (BENCH_JAVA_HOME)
# so that the Panama backend is measured too; on a JDK 17 it measures JNA and the hand-coded client.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh"
lx_paths release # LX_ROOT and LX_LIB (cargo's release directory); the script ends in exec
export JAVA_HOME=${BENCH_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
jdk=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ "${jdk%%.*}" -ge 24 ] 2>/dev/null; then
    # Maven's own Guava calls sun.misc.Unsafe, which JDK 24+ warns about.
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
mvn=(mvn -q -B -ntp -Dstyle.color=never)

# The binding's modules into the local repository (tests skipped: run-tests.sh runs them).
"${mvn[@]}" -f "$LX_ROOT/bindings-examples/java/pom.xml" install -DskipTests
"${mvn[@]}" -f "$here/pom.xml" compile dependency:build-classpath -Dmdep.outputFile="$here/target/classpath.txt"

jvm=(-Xms512m -Xmx1g)
if [ "${jdk%%.*}" -ge 22 ] 2>/dev/null; then
    jvm+=(--enable-native-access=ALL-UNNAMED)
fi
# libleanix comes from leanix-native on the class path (built by `mvn install` in release);
# lx-sandbox is named explicitly (nothing is searched for it).
export LX_SANDBOX=${LX_SANDBOX:-${LX_SANDBOX_BIN:-$LX_LIB/lx-sandbox}}
cd "$LX_ROOT"
exec "$JAVA_HOME/bin/java" "${jvm[@]}" -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" \
    org.libleanix.bench.Bench "$@"
