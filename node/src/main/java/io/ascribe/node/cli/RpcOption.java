package io.ascribe.node.cli;

import io.ascribe.node.client.RpcClient;
import picocli.CommandLine.Option;

/** The {@code --rpc URL} option of commands that talk to a running node. */
final class RpcOption {
  static final String DEFAULT_URL = "http://127.0.0.1:8645";

  @Option(
      names = "--rpc",
      paramLabel = "URL",
      defaultValue = DEFAULT_URL,
      description = "JSON-RPC URL of a node (default: ${DEFAULT-VALUE}, the devnet's).")
  String url;

  RpcClient client() {
    return new RpcClient(url);
  }
}
