package io.ascribe.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Quantities;
import io.ascribe.ledger.ai.Capability;
import io.ascribe.node.client.RpcClient;
import java.io.PrintWriter;
import java.math.BigInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code ascribe validator ...}: a validator's part in tuning jobs. Declaring the inference
 * capability bonds the genesis's executor bond and makes the validator eligible to execute and
 * verify jobs; undeclaring takes it off new jobs at once and returns the bond once its open jobs
 * are over.
 */
@Command(
    name = "validator",
    description = "A validator's inference capability: declare it (bonding) or give it up.",
    subcommands = {ValidatorCommand.Declare.class, ValidatorCommand.Undeclare.class})
final class ValidatorCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "declare-capability",
      description =
          "Bond the executor bond and take tuning jobs as executor or verifier (validators only).")
  static final class Declare implements Runnable {
    @Mixin TxCommand.TxOptions tx;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      TxSender sender = tx.sender();
      RpcClient client = sender.client();
      Address self = sender.address();
      JsonNode account = client.call("ascribe_getProof", self.toString()).path("account");
      if (account.isMissingNode()
          || account.isNull()
          || Quantities.parse(account.path("stake").asText("0x0")).signum() == 0) {
        throw new UserErrorException(
            self
                + " has no stake, so it is not a validator: only validators may declare the"
                + " inference capability (stake first with: ascribe tx stake); nothing was sent");
      }
      BigInteger bond =
          Quantities.parse(client.call("ascribe_jobParams").path("executorBond").asText());
      PrintWriter out = spec.commandLine().getOut();
      out.printf("bonding up to %s%n", JobLines.open(bond));
      tx.send(out, TxBodies::declareCapability);
      if (!tx.noWait) {
        ProvenObjects proven = new ProvenObjects(client);
        Capability capability = proven.capability(self);
        out.printf(
            "capability %s, bond %s; %s takes tuning jobs as executor or verifier%n",
            capability.status().name().toLowerCase(java.util.Locale.ROOT),
            JobLines.open(capability.bond()),
            self);
        out.printf("verified against %s%n", proven.checkedAt());
      }
      out.flush();
    }
  }

  @Command(
      name = "undeclare-capability",
      aliases = "undeclare",
      description =
          "Take no new tuning jobs; the bond returns now, or, while jobs are open, when this is"
              + " run again after they end.")
  static final class Undeclare implements Runnable {
    @Mixin TxCommand.TxOptions tx;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      TxSender sender = tx.sender();
      PrintWriter out = spec.commandLine().getOut();
      tx.send(out, TxBodies::undeclareCapability);
      if (!tx.noWait) {
        ProvenObjects proven = new ProvenObjects(sender.client());
        Capability capability = proven.capability(sender.address());
        switch (capability.status()) {
          case WITHDRAWN ->
              out.printf(
                  "capability withdrawn: the bond is back in %s's balance%n", sender.address());
          case RETIRING ->
              out.printf(
                  "capability retiring: no new jobs; %d open job(s) still hold the bond of %s:"
                      + " run undeclare-capability again once they are over%n",
                  capability.openJobs(), JobLines.open(capability.bond()));
          case ACTIVE -> throw new IllegalStateException("an undeclared capability is not active");
        }
        out.printf("verified against %s%n", proven.checkedAt());
      }
      out.flush();
    }
  }
}
