package io.ascribe.node.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkJournalTest {
  @TempDir Path dir;

  @Test
  void aJobsRecordSurvivesAReopenWithItsTimingsAndSignedTransaction() {
    Hash job = Keccak.hash(new byte[] {1});
    WorkJournal journal = new WorkJournal(dir);
    journal.write(
        WorkJournal.Entry.start(job, "executor")
            .timed("fetch", 120)
            .in(WorkJournal.Phase.TRAINING)
            .progress(10, 40, 2.5)
            .timed("train", 3000)
            .timed("train", 500)
            .signed("0xabcd", "0x01"));

    WorkJournal.Entry read = new WorkJournal(dir).read(job).orElseThrow();

    assertThat(read.phase()).isEqualTo(WorkJournal.Phase.POSTING);
    assertThat(read.timingsMs()).containsEntry("fetch", 120L).containsEntry("train", 3500L);
    assertThat(read.step()).isEqualTo(10);
    assertThat(read.signedTx()).isEqualTo("0xabcd");
    assertThat(new WorkJournal(dir).read(Keccak.hash(new byte[] {2}))).isEmpty();
  }

  @Test
  void anUnreadableJournalSaysWhichFileAndWhatToDo() throws IOException {
    Hash job = Keccak.hash(new byte[] {1});
    WorkJournal journal = new WorkJournal(dir);
    Files.createDirectories(journal.dir(job));
    Files.writeString(journal.dir(job).resolve(WorkJournal.FILE), "{\"job\": tru");

    assertThatThrownBy(() -> journal.read(job))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(WorkJournal.FILE)
        .hasMessageContaining("delete that job's directory");
  }

  @Test
  void breakdownListsPhasesInTheOrderWorkHappens() {
    assertThat(
            TuningWork.breakdown(
                java.util.Map.of("train", 31_000L, "fetch", 200L, "post", 5L, "eval", 1_500L)))
        .isEqualTo("fetch 0.2 s, train 31.0 s, eval 1.5 s, post 0.0 s");
  }
}
