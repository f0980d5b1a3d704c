#!/usr/bin/env bash
# Where a LoRA training step of the tuning benchmark spends its time (inference-module/README.md,
# "Tuning benchmark"): the median forward, backward and AdamW times of a step on the benchmark's
# base and GCIDE batches, interleaved with the plain 1024³ matmul the table divides by and with
# the products of the model's own shapes. Needs the base cached in target/bench (run
# scripts/bench-tuning.sh once). libtorch keeps its default threads, as the benchmark does.
#
#   scripts/bench-lora-step.sh
#   JAVA_OPTS="-Dreps=50 -Dtrace=target/lora-step.json" scripts/bench-lora-step.sh
#   JAVA_OPTS="-Dhidden=256 -Dheads=8" scripts/bench-lora-step.sh   a random model half as wide
set -euo pipefail
. "$(dirname "$0")/inference-bench-java.sh"
# shellcheck disable=SC2086
inference_java ${JAVA_OPTS:-} io.ascribe.inference.train.LoraStepProfile "$root/target/bench"
