package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code .mvn/find-jdk.sh}, which {@code ./mvnw} and {@code ./ascribe} source to find a JDK 21 or
 * newer: it passes over an old or missing {@code JAVA_HOME}, and says how to get a JDK when there
 * is none. The directory it searches ({@code ASCRIBE_JVM_DIR}) is the one holding the JDK that runs
 * this test, so a JDK 21 or newer is there whatever else the machine has installed.
 */
class FindJdkIT {
  private static final Pattern JAVA_VERSION = Pattern.compile("JAVA_VERSION=\"(?:1\\.)?(\\d+)");

  @TempDir Path dir;

  /** What the shell printed and returned. */
  private record Run(int exitCode, String out, String err) {}

  /** Sources the script from the repository root as ./mvnw does and prints the JDK it chose. */
  private static Run findJdk(Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder("/bin/sh", "-c", ". ./.mvn/find-jdk.sh && echo \"$JAVA_HOME\"")
            .directory(repoRoot().toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the script finished").isTrue();
    return new Run(process.exitValue(), out, err);
  }

  /** The directory holding {@code mvnw}, found from the working directory up. */
  private static Path repoRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("mvnw"))) {
        return p;
      }
    }
    throw new IllegalStateException("no mvnw above " + Path.of("").toAbsolutePath());
  }

  /** A directory for {@code ASCRIBE_JVM_DIR} that holds the JDK running this test. */
  private static Path jvmDirWithThisJdk() {
    return Path.of(System.getProperty("java.home")).getParent();
  }

  /** The major version in a JDK's {@code release} file, 0 when it has none. */
  private static int releaseMajor(Path jdk) {
    try {
      Matcher m = JAVA_VERSION.matcher(Files.readString(jdk.resolve("release")));
      return m.find() ? Integer.parseInt(m.group(1)) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * A JDK older than 21: the machine's own (such as /usr/lib/jvm/java-17-openjdk-amd64) when it has
   * one, else a stand-in that looks like a JDK 17 to the script.
   */
  private Path jdkOlderThan21() throws IOException {
    Path installedJdks = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(installedJdks)) {
      try (Stream<Path> jdks = Files.list(installedJdks)) {
        Optional<Path> old =
            jdks.filter(jdk -> Files.isExecutable(jdk.resolve("bin/javac")))
                .filter(jdk -> releaseMajor(jdk) > 0 && releaseMajor(jdk) < 21)
                .sorted()
                .findFirst();
        if (old.isPresent()) {
          return old.get();
        }
      }
    }
    return stubJdk("17.0.2");
  }

  /** A directory with a {@code release} file and {@code bin/java}, {@code bin/javac} scripts. */
  private Path stubJdk(String version) throws IOException {
    Path jdk = dir.resolve("stub-jdk-" + version);
    Files.createDirectories(jdk.resolve("bin"));
    Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
    for (String tool : new String[] {"java", "javac"}) {
      Path script =
          Files.writeString(
              jdk.resolve("bin").resolve(tool),
              "#!/bin/sh\necho '" + tool + " version \"" + version + "\"' >&2\n");
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return jdk;
  }

  @Test
  void aJavaHomeOlderThan21IsPassedOverForAJdk21OrNewer() throws Exception {
    Run run =
        findJdk(
            Map.of(
                "JAVA_HOME", jdkOlderThan21().toString(),
                "ASCRIBE_JVM_DIR", jvmDirWithThisJdk().toString()));

    assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
    assertThat(releaseMajor(Path.of(run.out().strip()))).isGreaterThanOrEqualTo(21);
  }

  @Test
  void aJavaHomeThatIsNoJdkIsPassedOverForAJdk21OrNewer() throws Exception {
    Run run =
        findJdk(
            Map.of(
                "JAVA_HOME", dir.resolve("no-such-jdk").toString(),
                "ASCRIBE_JVM_DIR", jvmDirWithThisJdk().toString()));

    assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
    assertThat(releaseMajor(Path.of(run.out().strip()))).isGreaterThanOrEqualTo(21);
  }

  @Test
  void withoutAJdk21AnywhereItExitsWithOneLineSayingHowToGetOne() throws Exception {
    Path emptyJvmDir = Files.createDirectories(dir.resolve("empty-jvm"));
    // A javac 17 first on PATH, so the answer does not depend on what /usr/bin/javac is.
    Path oldJdk = stubJdk("17.0.2");

    Run run =
        findJdk(
            Map.of(
                "JAVA_HOME", dir.resolve("no-such-jdk").toString(),
                "ASCRIBE_JVM_DIR", emptyJvmDir.toString(),
                "PATH", oldJdk.resolve("bin") + ":/usr/bin:/bin"));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().lines().toList())
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .contains("JDK 21 or newer")
                    .contains(emptyJvmDir.toString())
                    .contains("apt-get install openjdk-21-jdk-headless")
                    .contains("set JAVA_HOME"));
  }
}
