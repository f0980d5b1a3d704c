#!/usr/bin/env bash
# Measures the cost of RAG attribution (ContextCite-style batched context ablations) as a ratio to
# plain generation of the same answers, on this machine's CPU: builds the inference module's test
# classes and runs io.ascribe.inference.rag.RagBench, which prints, per number of masks and batch
# size, the medians over the prompts of retrieval, generation, a plain-generation baseline, the
# ablation forward passes and the surrogate fit, and the ratio (generation + attribution) /
# generation.
#
#   scripts/bench-rag.sh                                  # 5 prompts, masks 8,16,32, batches 1,8,32
#   scripts/bench-rag.sh prompts=3 masks=32 batches=32
#   THREADS=2 scripts/bench-rag.sh                        # libtorch intra-op threads (default 1)
#
# MAVEN_ARGS passes options to Maven (e.g. -o).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. "$root/.mvn/find-jdk.sh"
THREADS=${THREADS:-1}
module=inference-module
# shellcheck disable=SC2086
./mvnw -q -B ${MAVEN_ARGS:-} -pl "$module" test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test -Dspotless.check.skip=true
cache="$root/$module/target/djl-cache"
cp="$module/target/test-classes:$module/target/classes:$(cat "$module/target/bench.classpath")"
OMP_NUM_THREADS=$THREADS OMP_WAIT_POLICY=PASSIVE exec "$JAVA_HOME/bin/java" \
  --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true -DDJL_CACHE_DIR="$cache" \
  -DENGINE_CACHE_DIR="$cache" -Dai.djl.default_engine=PyTorch \
  -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "$cp" io.ascribe.inference.rag.RagBench "$@"
