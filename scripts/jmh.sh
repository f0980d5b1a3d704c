#!/usr/bin/env bash
# Builds a module and those it depends on (to test-compile, from this checkout's sources), then runs
# the module's JMH benchmarks (src/jmh/java; see the jmh profile in pom.xml):
#
#   scripts/jmh.sh MODULE [JMH options and benchmark filters]
#   scripts/jmh.sh ledger -f 1 -wi 3 -i 5 StateRootBenchmark
#
# Without filters it runs every benchmark of MODULE. MAVEN_ARGS passes options to Maven (e.g. -o).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ $# -lt 1 ] || [ ! -d "$1/src/jmh/java" ]; then
  echo "usage: scripts/jmh.sh MODULE [JMH options]; MODULE is a folder with src/jmh/java" >&2
  exit 2
fi
module=$1
shift
. "$root/.mvn/find-jdk.sh"
./mvnw -q -B -pl "$module" -am test-compile -Dspotless.check.skip=true
cp="$module/target/test-classes:$module/target/classes:$(cat "$module/target/jmh.classpath")"
# JMH's forks inherit these JVM options.
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" org.openjdk.jmh.Main "$@"
