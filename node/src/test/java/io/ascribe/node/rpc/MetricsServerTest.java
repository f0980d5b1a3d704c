package io.ascribe.node.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void servesARegisteredCounterInPrometheusFormat() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Counter blocks = Counter.builder("ascribe.blocks.committed").register(registry);
    blocks.increment(3);
    try (MetricsServer server = new MetricsServer(registry, "127.0.0.1", 0)) {
      server.start();
      URI base = URI.create("http://127.0.0.1:" + server.port());

      HttpResponse<String> scrape =
          http.send(
              HttpRequest.newBuilder(base.resolve("/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("Content-Type").orElseThrow())
          .startsWith("text/plain");
      assertThat(scrape.body()).contains("# TYPE ascribe_blocks_committed_total counter");
      assertThat(scrape.body()).contains("ascribe_blocks_committed_total 3.0");

      HttpResponse<String> other =
          http.send(
              HttpRequest.newBuilder(base.resolve("/")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(other.statusCode()).isEqualTo(404);
    }
  }
}
