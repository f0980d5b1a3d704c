#!/usr/bin/env bash
# A probe (inference-module/README.md, "Where a LoRA step's time goes"): LoRA's forward + backward
# on the tuning bench's batches of 8 in one pass with libtorch's default threads, then, in a
# process started with one intra-op thread, each batch as two halves on two Java threads. Needs the
# base cached in target/bench (run scripts/bench-tuning.sh once).
#
#   scripts/bench-data-parallel.sh
#   JAVA_OPTS="-Dreps=60" scripts/bench-data-parallel.sh
set -euo pipefail
. "$(dirname "$0")/inference-bench-java.sh"
probe=io.ascribe.inference.train.DataParallelProbe
# shellcheck disable=SC2086
inference_java ${JAVA_OPTS:-} "$probe" "$root/target/bench"
# shellcheck disable=SC2086
OMP_NUM_THREADS=1 inference_java ${JAVA_OPTS:-} -Dai.djl.pytorch.num_threads=1 \
  -Dai.djl.pytorch.num_interop_threads=1 "$probe" "$root/target/bench"
