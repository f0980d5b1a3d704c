package io.ascribe.node.cli;

import picocli.CommandLine.Command;

/** The {@code ascribe} command and its subcommands. */
@Command(
    name = "ascribe",
    mixinStandardHelpOptions = true,
    version = "ascribe 0.1.0",
    description = "A BFT chain that settles AI work: run a node, send transactions, read state.",
    subcommands = {
      DevnetCommand.class,
      InitCommand.class,
      RunCommand.class,
      KeysCommand.class,
      TxCommand.class,
      AccountCommand.class,
      DatanetCommand.class,
      ModelCommand.class,
      JobCommand.class,
      ValidatorCommand.class,
      StatusCommand.class,
      LoadCommand.class,
      GenesisCommand.class,
      TestnetCommand.class,
      EvmCommand.class,
      RewardsCommand.class,
      RelayerCommand.class,
      BridgeCommand.class,
      TuneCommand.class,
      BenchCommand.class,
      GenerateCommand.class,
      EvalCommand.class,
      ChatCommand.class,
    })
final class AscribeCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
