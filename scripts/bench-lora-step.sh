#!/usr/bin/env bash
# Where a LoRA training step of the tuning benchmark spends its time (inference-module/README.md,
# "Tuning benchmark"): the median forward, backward and AdamW times of a step on the benchmark's
# base and GCIDE batches, interleaved with the plain 1024³ matmul the table divides by and with
# the products of the model's own shapes. Needs the base cached in target/bench (run
# scripts/bench-tuning.sh once). libtorch keeps its default threads, as the benchmark does.
#
#   scripts/bench-lora-step.sh
#   JAVA_OPTS="-Dreps=50 -Dtrace=target/lora-step.json" scripts/bench-lora-step.sh
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
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true \
  -DDJL_CACHE_DIR="$cache" -DENGINE_CACHE_DIR="$cache" -Dai.djl.default_engine=PyTorch \
  ${JAVA_OPTS:-} -cp "$cp" io.ascribe.inference.train.LoraStepProfile "$root/target/bench"
