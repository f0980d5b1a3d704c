package io.ascribe.inference.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code bible} program's output → verses, and verses → pretraining chunks. */
class KjvTextTest {
  @Test
  void headingsAndVerseNumbersGoAndWrappedVersesAreJoined() {
    String output =
        """

        Genesis 1

          1 In the beginning God created the heaven and the earth.
          2 And the earth was without form, and void; and darkness was upon the face of
        the deep.

        Song of Solomon 2

          1 I am the rose of Sharon, and the lily of the valleys.
        """;
    assertThat(KjvText.parse(output))
        .isEqualTo(
            "In the beginning God created the heaven and the earth.\n"
                + "And the earth was without form, and void; and darkness was upon the face of"
                + " the deep.\n"
                + "I am the rose of Sharon, and the lily of the valleys.\n");
  }

  @Test
  void chunksKeepWordsWholeAndLoseNothingButTheSpacesTheyAreCutAt() {
    String text = "In the beginning God created\nthe heaven and the earth.\n";
    List<String> chunks = KjvText.chunks(text, 16);
    assertThat(chunks).allSatisfy(c -> assertThat(c.length()).isLessThanOrEqualTo(16));
    assertThat(chunks.getFirst()).isEqualTo("In the beginning");
    assertThat(String.join(" ", chunks).replace('\n', ' '))
        .isEqualTo(text.strip().replace('\n', ' '));
    List<String> words = List.of(text.split("\\s+"));
    assertThat(chunks).allSatisfy(c -> assertThat(words).containsAll(List.of(c.split("\\s+"))));
    // A word longer than the window is cut inside it rather than looping.
    assertThat(KjvText.chunks("abcdefghij", 4)).containsExactly("abcd", "efgh", "ij");
  }
}
