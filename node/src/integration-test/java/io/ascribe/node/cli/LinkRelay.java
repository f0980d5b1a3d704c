package io.ascribe.node.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay for the links between nodes on loopback, which a test cuts and restores: one listener
 * per directed link (from, to), forwarding the bytes of each connection made to it, untouched, to
 * the destination node's real port. TLS runs end to end through it, so the nodes still authenticate
 * each other by their keys. A cut link resets its live connections and every new one until it is
 * restored; the listener keeps its port all along, so the nodes' settings stay valid.
 *
 * <p>A node dials its peers at their relay ports, so each connection between two nodes runs through
 * the listener of the link whose source dialled it; cutting a link in both directions (see {@link
 * #between}) separates the two nodes whoever dials.
 */
final class LinkRelay implements AutoCloseable {
  /** The link on which node {@code from} dials node {@code to}. */
  record Link(int from, int to) {}

  private final Map<Link, Listener> listeners = new ConcurrentHashMap<>();

  /**
   * Opens the listener of a link, forwarding to {@code targetPort} on loopback.
   *
   * @return the port the source node should dial
   */
  int open(Link link, int targetPort) throws IOException {
    Listener listener = new Listener(link, targetPort);
    if (listeners.putIfAbsent(link, listener) != null) {
      listener.close();
      throw new IllegalStateException(link + " is open already");
    }
    Thread.ofVirtual().name("relay-accept-" + link.from() + "-" + link.to()).start(listener::run);
    return listener.server.getLocalPort();
  }

  /** Every link between a node of {@code a} and a node of {@code b}, both directions. */
  static List<Link> between(Collection<Integer> a, Collection<Integer> b) {
    List<Link> links = new ArrayList<>();
    for (int x : a) {
      for (int y : b) {
        links.add(new Link(x, y));
        links.add(new Link(y, x));
      }
    }
    return links;
  }

  /** Resets the links' live connections and, until {@link #restore}, every new one. */
  void cut(Collection<Link> links) {
    links.forEach(link -> listener(link).cut());
  }

  void restore(Collection<Link> links) {
    links.forEach(link -> listener(link).restore());
  }

  private Listener listener(Link link) {
    Listener listener = listeners.get(link);
    if (listener == null) {
      throw new IllegalArgumentException(link + " was never opened");
    }
    return listener;
  }

  @Override
  public void close() {
    listeners.values().forEach(Listener::close);
  }

  /** One link's listener and the connections made through it. */
  private static final class Listener {
    private final Link link;
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> live = new HashSet<>();
    private boolean cut;
    private boolean closed;

    Listener(Link link, int targetPort) throws IOException {
      this.link = link;
      this.targetPort = targetPort;
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    void run() {
      while (true) {
        Socket in;
        try {
          in = server.accept();
        } catch (IOException closedDown) {
          return;
        }
        if (admit(in)) {
          Thread.ofVirtual()
              .name("relay-" + link.from() + "-" + link.to())
              .start(() -> connect(in));
        }
      }
    }

    /** Forwards one connection to the target; a cut while it connects resets both ends. */
    private void connect(Socket in) {
      Socket out = new Socket();
      try {
        out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
        out.setTcpNoDelay(true);
        in.setTcpNoDelay(true);
      } catch (IOException targetDown) {
        drop(in);
        reset(out);
        return;
      }
      if (!admit(out)) {
        drop(in);
        return;
      }
      AtomicInteger directionsOpen = new AtomicInteger(2);
      Thread.ofVirtual()
          .name("relay-" + link.from() + "-" + link.to() + "-back")
          .start(() -> pump(out, in, directionsOpen));
      pump(in, out, directionsOpen);
    }

    /**
     * Copies bytes one way. An orderly end (EOF) is passed on as a half-close, and the connection
     * is closed once both ways have ended; a reset or a cut ends both ways at once.
     */
    private void pump(Socket from, Socket to, AtomicInteger directionsOpen) {
      byte[] buffer = new byte[64 * 1024];
      try {
        InputStream input = from.getInputStream();
        OutputStream output = to.getOutputStream();
        int n;
        while ((n = input.read(buffer)) >= 0) {
          output.write(buffer, 0, n);
        }
        to.shutdownOutput();
        if (directionsOpen.decrementAndGet() == 0) {
          closeOrderly(from);
          closeOrderly(to);
        }
      } catch (IOException resetOrCut) {
        drop(from);
        drop(to);
      }
    }

    /** Takes a socket into the live set, or resets it if the link is cut (or closed). */
    private synchronized boolean admit(Socket socket) {
      if (cut || closed) {
        reset(socket);
        return false;
      }
      live.add(socket);
      return true;
    }

    private synchronized void drop(Socket socket) {
      live.remove(socket);
      reset(socket);
    }

    private synchronized void closeOrderly(Socket socket) {
      live.remove(socket);
      try {
        socket.close();
      } catch (IOException e) {
        // Closed already.
      }
    }

    synchronized void cut() {
      cut = true;
      live.forEach(Listener::reset);
      live.clear();
    }

    synchronized void restore() {
      cut = false;
    }

    synchronized void close() {
      closed = true;
      try {
        server.close();
      } catch (IOException e) {
        // Closing anyway.
      }
      live.forEach(Listener::reset);
      live.clear();
    }

    /** Closes with a reset (RST), as a link that went down does, rather than an orderly FIN. */
    private static void reset(Socket socket) {
      try {
        if (!socket.isClosed() && socket.isConnected()) {
          socket.setSoLinger(true, 0);
        }
        socket.close();
      } catch (IOException e) {
        // Closed already.
      }
    }
  }
}
