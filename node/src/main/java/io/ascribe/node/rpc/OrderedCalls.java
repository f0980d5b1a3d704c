package io.ascribe.node.rpc;

import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs one connection's requests one at a time, in arrival order: the work on the handler pool (so
 * a slow method never stalls the network thread), the delivery back on the connection's event loop.
 * Order matters because HTTP/1.1 answers pipelined requests in sequence and a WebSocket client must
 * get a subscription's id before its notifications. While requests wait, reading from the
 * connection pauses, so a flooding client is slowed rather than buffered.
 *
 * <p>All methods run on the connection's event loop.
 */
final class OrderedCalls {
  /** Requests that may wait per connection before reading pauses. */
  private static final int MAX_WAITING = 16;

  private record Call(Supplier<String> work, Consumer<String> deliver, Runnable refuse) {}

  private final Channel channel;
  private final Executor pool;
  private final ArrayDeque<Call> waiting = new ArrayDeque<>();
  private boolean running;

  OrderedCalls(Channel channel, Executor pool) {
    this.channel = channel;
    this.pool = pool;
  }

  /**
   * Queues a call.
   *
   * @param work produces the reply, on a handler thread
   * @param deliver sends the reply, on the event loop
   * @param refuse answers instead when the handler pool is saturated, on the event loop
   */
  void submit(Supplier<String> work, Consumer<String> deliver, Runnable refuse) {
    waiting.add(new Call(work, deliver, refuse));
    if (waiting.size() >= MAX_WAITING) {
      channel.config().setAutoRead(false);
    }
    runNext();
  }

  /** Queues an answer that needs no handler thread, so it still leaves in arrival order. */
  void submitNow(Runnable answer) {
    submit(null, ignored -> answer.run(), answer);
  }

  private void runNext() {
    while (!running && !waiting.isEmpty()) {
      Call call = waiting.poll();
      if (waiting.size() < MAX_WAITING / 2 && !channel.config().isAutoRead()) {
        channel.config().setAutoRead(true);
      }
      if (call.work() == null) {
        call.deliver().accept(null);
        continue;
      }
      running = true;
      try {
        pool.execute(() -> deliverOnEventLoop(call, call.work().get()));
      } catch (RejectedExecutionException e) {
        running = false;
        call.refuse().run();
      }
    }
  }

  private void deliverOnEventLoop(Call call, String reply) {
    try {
      channel
          .eventLoop()
          .execute(
              () -> {
                running = false;
                call.deliver().accept(reply);
                runNext();
              });
    } catch (RejectedExecutionException e) {
      // The event loop is shutting down with the server; there is no one left to answer.
    }
  }
}
