#!/usr/bin/env bash
# QLoRA's memory saving where it shows (inference-module/README.md, "Training memory"): LoRA and
# QLoRA, each with and without recomputing the layers, fine-tuning a random-initialised ~90 M
# parameter Llama (written once into target/bench/memory-model-1024x8, 360 MB), each case in a JVM
# of its own; prints the resident set after the engine loads, its peak while loading the base and
# its peak while training. About five minutes on a 2-core machine.
#
#   scripts/bench-training-memory.sh
#   JAVA_OPTS="-Dsteps=3 -Dbatch=8" scripts/bench-training-memory.sh
set -euo pipefail
. "$(dirname "$0")/inference-bench-java.sh"
mkdir -p "$root/target/bench"
# shellcheck disable=SC2086
inference_java ${JAVA_OPTS:-} io.ascribe.inference.train.TrainingMemoryProfile "$root/target/bench"
