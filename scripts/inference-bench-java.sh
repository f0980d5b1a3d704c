# Sourced by the inference module's benchmark scripts (bench-influence.sh, bench-lora-step.sh,
# bench-nf4-lookup.sh): compiles the module's test classes offline, builds their class path, and
# defines inference_java, which runs one of their main classes with DJL offline, its cache in the
# module's target and PyTorch as the engine; the caller's JVM options go before the class name.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. "$root/.mvn/find-jdk.sh"
inference_module=inference-module
./mvnw -q -B -o -pl "$inference_module" -am test-compile -Dspotless.check.skip=true
./mvnw -q -B -o -pl "$inference_module" dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath >/dev/null
inference_classpath="$inference_module/target/test-classes:$inference_module/target/classes"
inference_classpath="$inference_classpath:$(cat "$inference_module/target/bench.classpath")"
inference_cache="$root/$inference_module/target/djl-cache"

inference_java() {
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true \
    -DDJL_CACHE_DIR="$inference_cache" -DENGINE_CACHE_DIR="$inference_cache" \
    -Dai.djl.default_engine=PyTorch -cp "$inference_classpath" "$@"
}
