#!/usr/bin/env bash
# The tuning benchmark of issue 5: pretrains a ~9.7 M-parameter Llama-style base on the KJV
# (cached under target/bench once trained), fine-tunes it 200 steps on GCIDE headword → definition
# pairs with LoRA, P-tuning, QLoRA and full fine-tuning, each in its own JVM, and prints the table
# (also written to target/bench/tuning-table.md). See inference-module/README.md, "Tuning
# benchmark", for how to read it.
#
#   scripts/bench-tuning.sh            the full run (tens of minutes on a small CPU)
#   QUICK=1 scripts/bench-tuning.sh    a smoke run of a minute or two
#
# Extra arguments go to `ascribe bench tuning` (e.g. --methods lora,ptuning --steps 100).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if ! command -v bible >/dev/null 2>&1 || [ ! -f /usr/share/dictd/gcide.index ]; then
  scripts/bench-data.sh
fi
args=(bench tuning --work-dir "$root/target/bench")
[ -n "${QUICK:-}" ] && [ "${QUICK}" != 0 ] && args+=(--quick)
exec "$root/ascribe" "${args[@]}" "$@"
