package io.ascribe.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.CopyRefusal;
import io.ascribe.ledger.ai.Datanet;
import io.ascribe.node.client.RpcClientException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ascribe datanet ...}: open a datanet, contribute records from files, read them back. */
@Command(
    name = "datanet",
    description = "Create datanets, contribute records, list and show them (proofs checked here).",
    subcommands = {
      DatanetCommand.Create.class,
      DatanetCommand.Contribute.class,
      DatanetCommand.ListCmd.class,
      DatanetCommand.Show.class
    })
final class DatanetCommand implements Runnable {
  /** Default near-duplicate threshold: about 80% of shingles shared. */
  static final int DEFAULT_NEAR_DUPLICATE_BPS = 8_000;

  /** Contributions sent before waiting for their receipts; well under a sender's mempool limit. */
  static final int BATCH = 256;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "create", description = "Open a datanet owned by the sender; prints its id.")
  static final class Create implements Runnable {
    @Mixin TxCommand.TxOptions tx;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--name", required = true, description = "Name, 1 to 128 characters.")
    String name;

    @Option(
        names = "--schema",
        paramLabel = "ID",
        required = true,
        description = "Schema id of its records, e.g. text/v1 or prompt-response/v1.")
    String schema;

    @Option(
        names = "--min-bond",
        paramLabel = "OPEN",
        required = true,
        description = "Least bond a contribution must post, in OPEN.")
    String minBond;

    @Option(
        names = "--near-dup-bps",
        paramLabel = "BPS",
        description =
            "MinHash similarity (basis points, 1 to 10000) at which a record is refused as a near"
                + " duplicate (default: ${DEFAULT-VALUE}).",
        defaultValue = "" + DEFAULT_NEAR_DUPLICATE_BPS)
    int nearDupBps;

    @Override
    public void run() {
      BigInteger bond = Amount.parseOpen(minBond);
      if (nearDupBps < 1 || nearDupBps > 10_000) {
        throw new UserErrorException(
            "--near-dup-bps must be 1 to 10000 (10000: only identical signatures), got "
                + nearDupBps);
      }
      PrintWriter out = spec.commandLine().getOut();
      TxSender.Sent sent =
          tx.send(
              out,
              (chain, nonce, fee) ->
                  TxBodies.createDatanet(
                      chain, nonce, fee, name, TxBodies.datanetRules(bond, schema, nearDupBps)));
      out.printf("datanet %s%n", sent.createdId("datanet"));
      out.flush();
    }
  }

  @Command(
      name = "contribute",
      description =
          "Contribute records: one per line of a JSON Lines file ({\"text\": ...} or {\"prompt\":"
              + " ..., \"response\": ...}), or a whole text file; each record's bytes are stored"
              + " on the node (ascribe_putContent), then sent in one bonded transaction.")
  static final class Contribute implements Runnable {
    @Mixin TxCommand.TxOptions tx;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--datanet", paramLabel = "ID", required = true, description = "Datanet id.")
    String datanet;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** Exactly one of the two kinds of file. */
    static final class Source {
      @Option(
          names = "--file",
          paramLabel = "FILE.jsonl",
          description = "JSON Lines file, one record per line.")
      Path jsonl;

      @Option(
          names = "--text-file",
          paramLabel = "FILE",
          description = "Text file contributed whole as one record.")
      Path text;
    }

    @Option(
        names = "--bond",
        paramLabel = "OPEN",
        description = "Bond per record in OPEN (default: the datanet's minimum bond).")
    String bond;

    @Override
    public void run() {
      Hash datanetId = IdOption.parse("--datanet", datanet);
      ContributionFile file =
          source.jsonl != null
              ? ContributionFile.jsonl(source.jsonl)
              : ContributionFile.text(source.text);
      TxSender sender = tx.sender();
      Datanet target = new ProvenObjects(tx.rpc.client()).datanet(datanetId);
      BigInteger minimum = target.rules().minBond();
      BigInteger each = bond != null ? Amount.parseOpen(bond) : minimum;
      if (each.compareTo(minimum) < 0) {
        throw new UserErrorException(
            "bond "
                + Amount.formatOpen(each)
                + " OPEN is below datanet "
                + datanetId
                + "'s minimum bond "
                + Amount.formatOpen(minimum)
                + " OPEN: pass --bond "
                + Amount.formatOpen(minimum)
                + " or more; nothing was sent");
      }
      requireFunds(sender, file.entries().size(), each);
      PrintWriter out = spec.commandLine().getOut();
      int refused = 0;
      List<ContributionFile.Entry> entries = file.entries();
      for (int from = 0; from < entries.size(); from += BATCH) {
        refused +=
            sendBatch(
                out,
                sender,
                datanetId,
                each,
                entries.subList(from, Math.min(entries.size(), from + BATCH)));
      }
      if (refused > 0) {
        throw new UserErrorException(
            refused
                + " of "
                + entries.size()
                + " records were refused (see above): they paid the fee, not the bond");
      }
      out.printf(
          "%d %s added to datanet %s%n",
          entries.size(), entries.size() == 1 ? "record" : "records", datanetId);
      out.flush();
    }

    /** Sends one batch, then reports each record's outcome; returns how many were refused. */
    private int sendBatch(
        PrintWriter out,
        TxSender sender,
        Hash datanetId,
        BigInteger each,
        List<ContributionFile.Entry> batch) {
      List<TxSender.Sent> sent = new ArrayList<>();
      Optional<String> stopped = Optional.empty();
      for (ContributionFile.Entry entry : batch) {
        try {
          // The node keeps the bytes the ledger will only hash, so it can serve them by hash.
          sender.client().putContent(entry.record().canonicalBytes(), entry.record().contentHash());
        } catch (RpcClientException e) {
          stopped =
              Optional.of(
                  "the node did not take the content of the record at "
                      + entry.where()
                      + " ("
                      + e.getMessage()
                      + "), so it and those after it were not sent");
          break;
        }
        try {
          sent.add(
              sender.send(
                  (chain, nonce, fee) ->
                      TxBodies.contribute(
                          chain,
                          nonce,
                          fee,
                          datanetId,
                          entry.record().contentHash(),
                          entry.size(),
                          entry.minHash().values().stream().mapToLong(Long::longValue).toArray(),
                          each)));
        } catch (RpcClientException e) {
          stopped =
              Optional.of(
                  "the node refused the record at "
                      + entry.where()
                      + " ("
                      + e.getMessage()
                      + "), so it and those after it were not sent");
          break;
        }
      }
      int refused = 0;
      for (int i = 0; i < sent.size(); i++) {
        Optional<String> refusal = report(out, sender, batch.get(i), sent.get(i));
        if (refusal.isPresent()) {
          refused++;
        }
      }
      out.flush();
      if (stopped.isPresent()) {
        throw new UserErrorException(stopped.get());
      }
      return refused;
    }

    /** Prints one record's outcome; returns the refusal, if it was refused. */
    private Optional<String> report(
        PrintWriter out, TxSender sender, ContributionFile.Entry entry, TxSender.Sent sent) {
      Hash id = sent.createdId("contribution");
      if (tx.noWait) {
        out.printf("%s: contribution %s (transaction %s)%n", entry.where(), id, sent.hash());
        return Optional.empty();
      }
      JsonNode receipt = sender.awaitReceipt(sent.hash());
      if ("success".equals(receipt.path("status").asText())) {
        out.printf(
            "%s: contribution %s in block %d%n",
            entry.where(), id, Quantities.parseLong(receipt.path("blockNumber").asText()));
        return Optional.empty();
      }
      String error = receipt.path("error").asText();
      String refusal =
          switch (CopyRefusal.parse(error).orElse(null)) {
            case CopyRefusal.Exact exact -> "exact duplicate of contribution " + exact.existing();
            case CopyRefusal.Near near ->
                "near duplicate of contribution "
                    + near.existing()
                    + " (MinHash similarity "
                    + near.similarityBps()
                    + " bps, threshold "
                    + near.thresholdBps()
                    + ")";
            case null -> error;
          };
      out.printf("%s: refused, %s%n", entry.where(), refusal);
      return Optional.of(refusal);
    }

    /** Refuses to start what the balance cannot finish, so no file is left half contributed. */
    private static void requireFunds(TxSender sender, int records, BigInteger bond) {
      BigInteger needed = bond.add(sender.fee()).multiply(BigInteger.valueOf(records));
      BigInteger balance =
          Quantities.parse(
              sender.client().call("ascribe_getBalance", sender.address().toString()).asText());
      if (balance.compareTo(needed) < 0) {
        throw new UserErrorException(
            records
                + (records == 1 ? " record needs " : " records need ")
                + Amount.formatOpen(needed)
                + " OPEN (bond and fee each) but "
                + sender.address()
                + " has "
                + Amount.formatOpen(balance)
                + " OPEN: fund it or contribute fewer records; nothing was sent");
      }
    }
  }

  @Command(name = "list", description = "List every datanet, each proven against a state root.")
  static final class ListCmd implements Runnable {
    @Mixin RpcOption rpc;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      ProvenObjects proven = new ProvenObjects(rpc.client());
      List<Datanet> datanets = proven.datanets();
      PrintWriter out = spec.commandLine().getOut();
      if (datanets.isEmpty()) {
        out.println("no datanets yet (open one with: ascribe datanet create)");
      }
      for (Datanet d : datanets) {
        out.printf(
            "%s  %-24s  schema %s  min bond %s OPEN  owner %s%n",
            d.id(),
            d.name(),
            d.rules().schemaId(),
            Amount.formatOpen(d.rules().minBond()),
            d.owner());
      }
      if (!datanets.isEmpty()) {
        out.printf(
            "%d %s, proofs verified against %s%n",
            datanets.size(), datanets.size() == 1 ? "datanet" : "datanets", proven.checkedAt());
      }
      out.flush();
    }
  }

  @Command(
      name = "show",
      description = "Show a datanet (and its contributions), proofs checked here.")
  static final class Show implements Runnable {
    @Mixin RpcOption rpc;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--id", paramLabel = "ID", required = true, description = "Datanet id.")
    String id;

    @Option(names = "--contributions", description = "List its contributions too.")
    boolean contributions;

    @Override
    public void run() {
      Hash datanetId = IdOption.parse("--id", id);
      ProvenObjects proven = new ProvenObjects(rpc.client());
      Datanet d = proven.datanet(datanetId);
      List<Contribution> listed = contributions ? proven.contributions(datanetId) : List.of();
      PrintWriter out = spec.commandLine().getOut();
      out.printf("datanet     %s%n", d.id());
      out.printf("name        %s%n", d.name());
      out.printf("owner       %s%n", d.owner());
      out.printf("schema      %s%n", d.rules().schemaId());
      out.printf("min bond    %s OPEN%n", Amount.formatOpen(d.rules().minBond()));
      out.printf("near dup    %d bps%n", d.rules().nearDuplicateBps());
      out.printf("created     block %d%n", d.createdHeight());
      for (Contribution c : listed) {
        out.printf(
            "  %s  %-9s  %d bytes  bond %s OPEN  by %s  content %s%n",
            c.id(),
            c.status().name().toLowerCase(java.util.Locale.ROOT),
            c.size(),
            Amount.formatOpen(c.bond()),
            c.contributor(),
            c.contentHash());
      }
      if (contributions) {
        out.printf("%d %s%n", listed.size(), listed.size() == 1 ? "contribution" : "contributions");
      }
      out.printf("verified against %s%n", proven.checkedAt());
      out.flush();
    }
  }
}
