package io.ascribe.node.cli;

import io.ascribe.node.AscribeNode;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/** Keeps a started node in the foreground until the process is told to stop (Ctrl-C, SIGTERM). */
final class Foreground {
  private Foreground() {}

  static void runUntilStopped(AscribeNode node) {
    runUntilStopped(List.of(node));
  }

  /** Keeps running until told to stop, then closes {@code parts} in their order. */
  static void runUntilStopped(List<? extends AutoCloseable> parts) {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (AutoCloseable part : parts) {
                    try {
                      part.close();
                    } catch (Exception e) {
                      LoggerFactory.getLogger(Foreground.class)
                          .warn(
                              "stopping {} failed: {}",
                              part.getClass().getSimpleName(),
                              e.toString());
                    }
                  }
                  stopped.countDown();
                },
                "shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
