package io.ascribe.inference.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.inference.train.Example;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GCIDE entries as dict-gcide ships them (abridged from the real file) → headword/definition. */
class GcideDictionaryTest {
  // The etymology bracket runs over four lines; the definition is sense 1, up to "[1913 Webster]".
  // (The real sense 1 goes on past the 100 characters kept; it is abridged here.)
  static final String APPLE_NOUN =
      """
      Apple \\Ap"ple\\ ([a^]p"p'l), n. [OE. appel, eppel, AS. [ae]ppel,
         [ae]pl; akin to Fries. & D. appel, OHG, aphul, aphol, G.
         apfel, Icel. epli, Sw. [aum]ple, Dan. [ae]ble, Gael. ubhall,
         W. afal, Arm. aval, Lith. ob[*u]lys, Russ. iabloko; of
         unknown origin.]
         1. The fleshy pome or fruit of a rosaceous tree ({Pyrus
            malus}).
            [1913 Webster]

         2. (bot.) Any tree genus {Pyrus} which has the stalk sunken
            into the base of the fruit; an apple tree.
            [1913 Webster]
      """;

  // A second entry for the same headword: the first one wins, so a prompt has one answer.
  static final String APPLE_VERB =
      """
      Apple \\Ap"ple\\ ([a^]p"p'l), v. i.
         To grow like an apple; to bear apples. --Holland.
         [1913 Webster]
      """;

  static final String ALMONER =
      """
      Subalmoner \\Sub*al"mon*er\\, n.
         An under almoner.
         [1913 Webster]
      """;

  @Test
  void theDefinitionIsTheFirstSenseAfterTheHeader() {
    assertThat(GcideDictionary.parseEntry(APPLE_NOUN))
        .contains(
            new GcideDictionary.Definition(
                "Apple", "The fleshy pome or fruit of a rosaceous tree (Pyrus malus)."));
  }

  @Test
  void citationsAndWhatFollowsTheFirstSemicolonAreDropped() {
    assertThat(GcideDictionary.parseEntry(APPLE_VERB))
        .contains(new GcideDictionary.Definition("Apple", "To grow like an apple."));
  }

  @Test
  void fieldLabelsAreDropped() {
    String entry =
        """
        Hob \\Hob\\, n.
           (Zool.) The male ferret.
           [1913 Webster]
        """;
    assertThat(GcideDictionary.parseEntry(entry))
        .contains(new GcideDictionary.Definition("Hob", "The male ferret."));
  }

  @Test
  void entriesThatMakeNoCleanPairAreSkipped() {
    // A phrase headword, markup escapes in the definition, and a definition too long to keep.
    String phrase = "All fours \\All` fours\"\\ n.\n   All four legs of a quadruped.\n";
    String escaped = "Aeon \\Ae\"on\\, n.\n   An age of the world; a period of [ae]ons.\n";
    String tooLong = "Long \\Long\\, a.\n   " + "Very long indeed ".repeat(10) + "\n";
    assertThat(GcideDictionary.parseEntry(phrase)).isEmpty();
    assertThat(GcideDictionary.parseEntry(escaped))
        .contains(new GcideDictionary.Definition("Aeon", "An age of the world."));
    assertThat(GcideDictionary.parseEntry("Aeon \\Ae\"on\\, n.\n   An [ae]on of time.\n"))
        .isEmpty();
    assertThat(GcideDictionary.parseEntry(tooLong)).isEmpty();
    assertThat(GcideDictionary.parseEntry("no header here")).isEmpty();
  }

  @Test
  void decodesDictdNumbers() {
    assertThat(GcideDictionary.decodeNumber("A")).isZero();
    assertThat(GcideDictionary.decodeNumber("/")).isEqualTo(63);
    assertThat(GcideDictionary.decodeNumber("2j")).isEqualTo(54 * 64 + 35);
    assertThat(GcideDictionary.decodeNumber("Gl8J")).isEqualTo(((6 * 64 + 37) * 64 + 60) * 64 + 9);
    assertThatThrownBy(() -> GcideDictionary.decodeNumber("a*b"))
        .hasMessageContaining("not a dictd base-64 number");
  }

  @Test
  void theIndexLeadsToEachEntryOnceAndTheFirstEntryOfAHeadwordWins() {
    String data = APPLE_NOUN + APPLE_VERB + ALMONER;
    int verb = APPLE_NOUN.length();
    int almoner = verb + APPLE_VERB.length();
    String index =
        String.join(
            "\n",
            "00-database-short\tA\tB",
            "Apple\t" + b64(0) + "\t" + b64(APPLE_NOUN.length()),
            // A sub-entry key pointing into the same entry, and the verb.
            "Apple blight\t" + b64(0) + "\t" + b64(APPLE_NOUN.length()),
            "Apple\t" + b64(verb) + "\t" + b64(APPLE_VERB.length()),
            "Subalmoner\t" + b64(almoner) + "\t" + b64(ALMONER.length()));
    List<GcideDictionary.Definition> pairs =
        GcideDictionary.parse(index, data.getBytes(StandardCharsets.UTF_8));
    assertThat(pairs)
        .extracting(GcideDictionary.Definition::headword)
        .containsExactly("Apple", "Subalmoner");
    assertThat(pairs.get(1).toExample())
        .isEqualTo(new Example("Define Subalmoner:\n", "An under almoner."));
  }

  @Test
  void anIndexPointingPastTheDataIsRefused() {
    assertThatThrownBy(() -> GcideDictionary.parse("Apple\tA\tZZ", new byte[10]))
        .hasMessageContaining("points past the end");
  }

  private static String b64(long v) {
    String digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    StringBuilder sb = new StringBuilder();
    do {
      sb.insert(0, digits.charAt((int) (v % 64)));
      v /= 64;
    } while (v > 0);
    return sb.toString();
  }
}
