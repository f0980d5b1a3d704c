package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.ai.DataRecord;
import io.ascribe.ledger.ai.MinHash;
import io.ascribe.node.content.ContentStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContributionFileTest {
  @TempDir Path dir;

  private Path file(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  @Test
  void eachNonBlankLineIsARecordNamedByItsLineNumber() throws Exception {
    Path jsonl =
        file(
            "data.jsonl",
            "{\"text\":\"the first record\"}\n\n"
                + "{\"prompt\":\"What is 2+2?\",\"response\":\"Four.\"}\r\n"
                + "   \n");

    ContributionFile read = ContributionFile.jsonl(jsonl);

    assertThat(read.entries())
        .extracting(ContributionFile.Entry::where)
        .containsExactly("line 1", "line 3");
    ContributionFile.Entry second = read.entries().get(1);
    assertThat(second.record()).isEqualTo(new DataRecord.PromptResponse("What is 2+2?", "Four."));
    assertThat(second.size()).isEqualTo(second.record().canonicalBytes().length);
    assertThat(second.minHash()).isEqualTo(MinHash.ofText("What is 2+2?\nFour."));
  }

  @Test
  void aRecordTooLargeForANodeToStoreIsRefusedBeforeAnythingIsSent() throws Exception {
    String words = "verily ".repeat(ContentStore.MAX_BLOB_BYTES / 7 + 1);
    Path text = file("huge.txt", words);

    assertThatThrownBy(() -> ContributionFile.text(text))
        .isInstanceOf(UserErrorException.class)
        .hasMessageContaining("over the " + ContentStore.MAX_BLOB_BYTES + " bytes (16 MiB)")
        .hasMessageContaining("split it into smaller records; nothing was sent");
    Path jsonl = file("huge.jsonl", "{\"text\":\"fine\"}\n{\"text\":\"" + words + "\"}\n");
    assertThatThrownBy(() -> ContributionFile.jsonl(jsonl))
        .isInstanceOf(UserErrorException.class)
        .hasMessageContaining("has 1 malformed record, nothing was sent: line 2: the record is");
  }

  @Test
  void aFileWithMalformedLinesIsRefusedWholeNamingEachLine() throws Exception {
    Path jsonl =
        file(
            "bad.jsonl",
            "{\"text\":\"fine\"}\n"
                + "{\"text\": \"unterminated}\n"
                + "{\"text\":\"fine too\",\"source\":\"web\"}\n"
                + "{\"text\":\"...!\"}\n"
                + "{\"text\":\"a\",\"text\":\"b\"}\n");

    assertThatThrownBy(() -> ContributionFile.jsonl(jsonl))
        .isInstanceOf(UserErrorException.class)
        .hasMessageStartingWith(
            jsonl + " has 4 malformed records, nothing was sent: line 2: not JSON")
        .hasMessageContaining("; line 3: unknown field \"source\"")
        .hasMessageContaining("; line 4: the record has no words")
        .hasMessageContaining("; line 5: not JSON (Duplicate field 'text')");
  }

  @Test
  void bytesThatAreNotUtf8AreRefusedByLine() throws Exception {
    Path jsonl = dir.resolve("latin1.jsonl");
    Files.write(jsonl, new byte[] {'{', '}', '\n', '"', (byte) 0xe9, '"', '\n'});

    assertThatThrownBy(() -> ContributionFile.jsonl(jsonl))
        .hasMessageContaining("line 1: no \"text\", \"prompt\" or \"response\"")
        .hasMessageContaining("line 2: not UTF-8 text");
  }

  @Test
  void anEmptyFileHasNothingToContribute() throws Exception {
    Path jsonl = file("empty.jsonl", "\n\n");

    assertThatThrownBy(() -> ContributionFile.jsonl(jsonl))
        .hasMessageContaining("holds no records");
  }

  @Test
  void aTextFileIsOneRecordOfItsWholeText() throws Exception {
    Path text = file("psalm.txt", "The Lord is my shepherd;\nI shall not want.\n");

    ContributionFile read = ContributionFile.text(text);

    assertThat(read.entries())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.where()).isEqualTo("psalm.txt");
              assertThat(e.record())
                  .isEqualTo(new DataRecord.Text("The Lord is my shepherd;\nI shall not want.\n"));
            });
    Files.write(text, new byte[] {(byte) 0xff});
    assertThatThrownBy(() -> ContributionFile.text(text)).hasMessageContaining("is not UTF-8 text");
  }
}
