package io.ascribe.ledger.state;

import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The tuning jobs still open, as the protocol record keeps them: the fee escrow held for them and
 * each one's next deadline, ordered by height. A block's start reads only the due head of that
 * order, so expiring jobs costs nothing per block beyond the jobs that are due; scheduling scans
 * the open jobs' deadlines, which are few next to the objects a scan of the state would read.
 *
 * @param escrow wei held in escrow for open jobs (part of the total supply)
 * @param deadlines at most one entry per job: the first height past its current deadline
 */
public record OpenJobs(BigInteger escrow, List<Deadline> deadlines) {
  public static final OpenJobs NONE = new OpenJobs(BigInteger.ZERO, List.of());

  /** Job {@code job} is due at the start of block {@code height}. */
  public record Deadline(long height, Hash job) {}

  public OpenJobs {
    deadlines =
        deadlines.stream()
            .sorted(Comparator.comparingLong(Deadline::height).thenComparing(Deadline::job))
            .toList();
  }

  /** {@code delta} more wei held in escrow (negative when released). */
  public OpenJobs escrow(BigInteger delta) {
    return new OpenJobs(escrow.add(delta), deadlines);
  }

  /** Makes {@code height} job {@code job}'s only deadline. */
  public OpenJobs schedule(Hash job, long height) {
    List<Deadline> next = new ArrayList<>(unschedule(job).deadlines);
    next.add(new Deadline(height, job));
    return new OpenJobs(escrow, next);
  }

  /** Drops job {@code job}'s deadline (it is over). */
  public OpenJobs unschedule(Hash job) {
    return new OpenJobs(escrow, deadlines.stream().filter(d -> !d.job().equals(job)).toList());
  }

  /** The jobs due at or before {@code height}, earliest first. */
  public List<Hash> due(long height) {
    List<Hash> due = new ArrayList<>();
    for (Deadline d : deadlines) {
      if (d.height() > height) {
        break;
      }
      due.add(d.job());
    }
    return due;
  }
}
