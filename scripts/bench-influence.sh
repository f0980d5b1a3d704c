#!/usr/bin/env bash
# Agreement of the tuning job's influence scores with leave-one-out retraining (issue 8): trains
# a LoRA job on the tiny model over 16 documents (4 copies of the eval facts, 4 paraphrases, 8
# noise; 60 full-batch steps at lr 1e-2), scores them with the job's DataInf, with TracIn and
# with DataInf's variants (blocks, damping), retrains 16 times leaving one out and prints Pearson
# r and Spearman rho between each method's scores and the change in eval loss, for one seed and
# averaged over 3 seeds, and each candidate's ms per document. One to two minutes on one core.
#
#   scripts/bench-influence.sh
#   JAVA_OPTS="-Dseeds=5 -Dnoise=12 -Depochs=40 -Dlr=1e-2" scripts/bench-influence.sh
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
  -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 ${JAVA_OPTS:-} \
  -cp "$cp" io.ascribe.inference.job.InfluenceBenchmark
