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
. "$(dirname "$0")/inference-bench-java.sh"
run() {
  # shellcheck disable=SC2086
  inference_java -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
    ${JAVA_OPTS:-} "$@"
}
run io.ascribe.inference.quant.Nf4LookupBenchmark
base=$(ls -d "$root"/target/bench/base-* 2>/dev/null | head -n 1 || true)
if [ -n "$base" ]; then
  run io.ascribe.inference.quant.QloraStepBenchmark "$base"
fi
