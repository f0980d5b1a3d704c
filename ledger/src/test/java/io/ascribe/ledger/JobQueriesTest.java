package io.ascribe.ledger;

import static io.ascribe.ledger.JobChain.MIN_STAKE;
import static io.ascribe.ledger.JobChain.OPEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.JobFilter;
import io.ascribe.ledger.ai.Page;
import io.ascribe.ledger.ai.TuningJob;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the node serves about tuning jobs: every job in creation order, filtered by submitter,
 * executor and status as they are now, page by page, and the same after a restart rebuilds the
 * index from the store.
 */
class JobQueriesTest {
  @TempDir Path dir;
  JobChain chain;
  Hash model;
  Hash datanet;

  @BeforeEach
  void setUp() {
    chain = new JobChain(dir, Collections.nCopies(4, MIN_STAKE), 2, JobChain.jobs(2, 50, 5));
    chain.declareAll();
    model = chain.registerModel(chain.users().get(0));
    datanet = chain.createDatanet(chain.users().get(0));
  }

  @AfterEach
  void tearDown() {
    chain.close();
  }

  private List<Hash> ids(Page<TuningJob> page) {
    return page.items().stream().map(TuningJob::id).toList();
  }

  private Page<TuningJob> list(JobFilter filter) {
    return chain.ledger().tuningJobs(filter, 0, 100);
  }

  @Test
  void jobsAreListedOldestFirstByWhoSubmittedOrExecutesThemAndByWhereTheyAreNow() {
    PrivateKey alice = chain.users().get(0);
    PrivateKey bob = chain.users().get(1);
    List<TuningJob> early = chain.submitMany(alice, model, datanet, OPEN, chain.height() + 3, 3);
    TuningJob late = chain.submit(bob, model, datanet, OPEN, chain.height() + 40, 9);
    chain.advanceTo(early.get(0).spec().deadline() + 1);

    List<Hash> sameBlock = early.stream().map(TuningJob::id).sorted().toList();
    assertThat(ids(list(JobFilter.ALL)))
        .containsExactly(sameBlock.get(0), sameBlock.get(1), sameBlock.get(2), late.id());
    assertThat(
            ids(
                list(
                    new JobFilter(Optional.of(bob.address()), Optional.empty(), Optional.empty()))))
        .containsExactly(late.id());
    assertThat(
            ids(
                list(
                    new JobFilter(
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(TuningJob.Status.EXPIRED)))))
        .containsExactlyElementsOf(sameBlock);
    Address executor = late.executor();
    assertThat(
            list(new JobFilter(Optional.empty(), Optional.of(executor), Optional.empty())).items())
        .isNotEmpty()
        .allSatisfy(j -> assertThat(j.executor()).isEqualTo(executor));
    assertThat(
            list(new JobFilter(
                    Optional.of(alice.address()),
                    Optional.empty(),
                    Optional.of(TuningJob.Status.ASSIGNED)))
                .items())
        .isEmpty();

    Page<TuningJob> second = chain.ledger().tuningJobs(JobFilter.ALL, 2, 2);
    assertThat(second.total()).isEqualTo(4);
    assertThat(ids(second)).containsExactly(sameBlock.get(2), late.id());
    assertThat(chain.ledger().tuningJobs(JobFilter.ALL, 9, 2).items()).isEmpty();

    chain.reopen();
    assertThat(ids(list(JobFilter.ALL)))
        .containsExactly(sameBlock.get(0), sameBlock.get(1), sameBlock.get(2), late.id());
    assertThat(list(JobFilter.ALL).items().get(0).status()).isEqualTo(TuningJob.Status.EXPIRED);
  }
}
