#!/usr/bin/env bash
# Which NF4 embedding lookup QLoRA's base should use on this machine: dequantising the gathered
# rows or the whole table (inference-module/README.md, "quant"). Prints the median time of each for
# a 258 x 256 and a 32 000 x 1024 table at a few token counts; then, when the tuning benchmark's
# base is cached in target/bench, the median LoRA and QLoRA forward + backward step on it and what
# the NF4 embeddings and head add to a step. A few minutes on one core.
#
#   scripts/bench-nf4-lookup.sh
#   JAVA_OPTS="-Druns=100" scripts/bench-nf4-lookup.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. "$root/.mvn/find-jdk.sh"
module=inference-module
./mvnw -q -B -o -pl "$module" -am test-compile -Dspotless.check.skip=true
./mvnw -q -B -o -pl "$module" dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath >/dev/null
cp="$module/target/test-classes:$module/target/classes:$(cat "$module/target/bench.classpath")"
cache="$module/target/djl-cache"
run() {
  # shellcheck disable=SC2086
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true \
    -DDJL_CACHE_DIR="$cache" -DENGINE_CACHE_DIR="$cache" -Dai.djl.default_engine=PyTorch \
    -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 ${JAVA_OPTS:-} \
    -cp "$cp" "$@"
}
run io.ascribe.inference.quant.Nf4LookupBenchmark
base=$(ls -d "$root"/target/bench/base-* 2>/dev/null | head -n 1 || true)
if [ -n "$base" ]; then
  run io.ascribe.inference.quant.QloraStepBenchmark "$base"
fi
