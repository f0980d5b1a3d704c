package io.ascribe.core.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.core.crypto.Keccak;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DataRecordTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static DataRecord parse(String json) throws Exception {
    return DataRecord.fromJson(JSON.readTree(json));
  }

  private static String canonical(DataRecord record) {
    return new String(record.canonicalBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void canonicalBytesAreCompactJsonWithSortedKeysWhateverTheInputLayout() throws Exception {
    DataRecord record = parse("{ \"response\" : \"4\",\n  \"prompt\":\"2+2?\" }");

    assertThat(record).isEqualTo(new DataRecord.PromptResponse("2+2?", "4"));
    assertThat(canonical(record)).isEqualTo("{\"prompt\":\"2+2?\",\"response\":\"4\"}");
    assertThat(record.contentHash()).isEqualTo(Keccak.hash(record.canonicalBytes()));
    assertThat(record.text()).isEqualTo("2+2?\n4");
  }

  @Test
  void stringsAreEscapedAsJcsDoes() throws Exception {
    DataRecord record = parse("{\"text\":\"a \\\"q\\\" \\\\ \\u00e9\\u2028 \\t\\n\\u0001 \\/\"}");

    // Only quote, backslash and controls are escaped; short forms where JSON has them, lowercase
    // hex otherwise; everything else (é, U+2028, the solidus) is written as itself in UTF-8.
    assertThat(canonical(record))
        .isEqualTo("{\"text\":\"a \\\"q\\\" \\\\ \u00e9\u2028 \\t\\n\\u0001 /\"}");
  }

  @Test
  void theSameTextHasTheSameHashFromJsonOrFromAFile() throws Exception {
    assertThat(parse("{\"text\":\"In the beginning\"}").contentHash())
        .isEqualTo(new DataRecord.Text("In the beginning").contentHash());
  }

  @Test
  void malformedRecordsAreRefusedSayingWhatIsWrong() {
    assertThatThrownBy(() -> parse("[1]")).hasMessageStartingWith("not a JSON object");
    assertThatThrownBy(() -> parse("{\"text\":\"x\",\"source\":\"web\"}"))
        .hasMessageStartingWith("unknown field \"source\"");
    assertThatThrownBy(() -> parse("{\"text\":3}"))
        .hasMessage("\"text\" must be a string, got number");
    assertThatThrownBy(() -> parse("{\"text\":\"  \"}")).hasMessage("\"text\" is empty");
    assertThatThrownBy(() -> parse("{}")).hasMessageStartingWith("no \"text\", \"prompt\" or");
    assertThatThrownBy(() -> parse("{\"prompt\":\"q\"}"))
        .hasMessageStartingWith("\"response\" is missing");
    assertThatThrownBy(() -> parse("{\"text\":\"t\",\"prompt\":\"q\",\"response\":\"a\"}"))
        .hasMessageStartingWith("both \"text\" and");
    assertThatThrownBy(() -> parse("{\"text\":\"bad \\ud800 surrogate\"}"))
        .hasMessage("\"text\" holds an unpaired UTF-16 surrogate at character 4");
  }
}
