package io.ascribe.node.cli;

import io.ascribe.node.AscribeNode;
import java.util.concurrent.CountDownLatch;

/** Keeps a started node in the foreground until the process is told to stop (Ctrl-C, SIGTERM). */
final class Foreground {
  private Foreground() {}

  static void runUntilStopped(AscribeNode node) {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  node.close();
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
