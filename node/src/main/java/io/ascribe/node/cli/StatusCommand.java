package io.ascribe.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.core.types.Quantities;
import io.ascribe.node.client.RpcClient;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code ascribe status}: where the node's chain stands. */
@Command(name = "status", description = "Show a node's chain id, height and latest block.")
final class StatusCommand implements Runnable {
  @Mixin RpcOption rpc;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    RpcClient client = rpc.client();
    long chainId = Quantities.parseLong(client.call("ascribe_chainId").asText());
    JsonNode block = client.call("ascribe_getBlockByNumber", "latest", false);
    long height = Quantities.parseLong(block.path("number").asText());
    Instant time = Instant.ofEpochMilli(Quantities.parseLong(block.path("timestamp").asText()));
    var out = spec.commandLine().getOut();
    out.printf("chain id     %d%n", chainId);
    out.printf("height       %d%n", height);
    out.printf("block hash   %s%n", block.path("hash").asText());
    out.printf("block time   %s%n", time);
    out.printf("state root   %s%n", block.path("stateRoot").asText());
    out.printf("transactions %d%n", block.path("transactions").size());
    out.flush();
  }
}
