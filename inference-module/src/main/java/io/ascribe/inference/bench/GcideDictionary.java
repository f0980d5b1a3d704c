package io.ascribe.inference.bench;

import io.ascribe.inference.train.Example;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Headword → definition pairs from the GNU Collaborative International Dictionary of English
 * (GCIDE) as Debian's {@code dict-gcide} ships it for dictd: {@code gcide.index} (one line per key:
 * headword, offset and length in dictd's base-64 digits) and {@code gcide.dict.dz} (gzip
 * compatible). Each entry starts with a header line ({@code Apple \Ap"ple\ ..., n. [etymology]}),
 * whose bracketed etymology may run over several lines; the definition is the text after it up to
 * the first blank line or {@code [1913 Webster]} source tag, cut at its first semicolon. Only
 * single-word headwords with a plain-ASCII definition of 8 to 100 characters are kept (GCIDE's
 * {@code [ae]}-style character escapes and cross-reference markup would teach the model markup),
 * and only the first entry of each headword, so no prompt has two answers.
 */
public final class GcideDictionary {
  /** The files Debian's dict-gcide installs. */
  public static final Path INDEX = Path.of("/usr/share/dictd/gcide.index");

  public static final Path DICT = Path.of("/usr/share/dictd/gcide.dict.dz");

  private static final String DIGITS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  private static final Pattern HEADWORD = Pattern.compile("[A-Za-z]{2,24}");
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9 ,.;:'()-]+");
  private static final Pattern FIELD_LABEL = Pattern.compile("^(\\([A-Z][A-Za-z. &]*\\)\\s*)+");
  private static final Pattern SENSE_NUMBER = Pattern.compile("^(\\d+\\.|\\([a-z]\\))\\s*");
  private static final Pattern CITATION = Pattern.compile("\\s*--\\S.*$");
  private static final int MIN_DEFINITION = 8;
  private static final int MAX_DEFINITION = 100;

  private GcideDictionary() {}

  /** One dictionary pair. */
  public record Definition(String headword, String text) {
    /** As a fine-tuning example: the prompt names the word, the response is its definition. */
    public Example toExample() {
      return new Example(prompt(headword), text);
    }

    public static String prompt(String headword) {
      return "Define " + headword + ":\n";
    }
  }

  /** Reads every usable pair from the installed dictionary files, in dictionary order. */
  public static List<Definition> read(Path index, Path dict) throws IOException {
    for (Path p : List.of(index, dict)) {
      if (!Files.isRegularFile(p)) {
        throw new NoSuchFileException(
            p + " (install Debian's dict-gcide: sudo scripts/bench-data.sh)");
      }
    }
    byte[] data;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(dict), 1 << 16)) {
      data = in.readAllBytes();
    }
    return parse(Files.readString(index, StandardCharsets.UTF_8), data);
  }

  /** The pairs of the entries {@code index} points into {@code data} (the decompressed dict). */
  public static List<Definition> parse(String index, byte[] data) {
    // Many keys point at one entry (its sub-entries are indexed too): read each entry once.
    TreeSet<long[]> spans = new TreeSet<>((a, b) -> Long.compare(a[0], b[0]));
    for (String line : index.split("\n")) {
      String[] f = line.split("\t");
      if (f.length != 3 || f[0].startsWith("00-")) { // the database's own description
        continue;
      }
      long offset = decodeNumber(f[1]);
      long length = decodeNumber(f[2]);
      if (offset + length > data.length) {
        throw new IllegalArgumentException(
            "index line '" + line + "' points past the end of the dictionary data");
      }
      spans.add(new long[] {offset, length});
    }
    List<Definition> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (long[] s : spans) {
      String entry = new String(data, (int) s[0], (int) s[1], StandardCharsets.UTF_8);
      parseEntry(entry)
          .filter(d -> seen.add(d.headword().toLowerCase(java.util.Locale.ROOT)))
          .ifPresent(out::add);
    }
    return out;
  }

  /**
   * A number in dictd's base-64 digits ({@code A} = 0 … {@code /} = 63, most significant first).
   */
  public static long decodeNumber(String digits) {
    if (digits.isEmpty()) {
      throw new IllegalArgumentException("empty dictd number");
    }
    long v = 0;
    for (int i = 0; i < digits.length(); i++) {
      int d = DIGITS.indexOf(digits.charAt(i));
      if (d < 0) {
        throw new IllegalArgumentException("'" + digits + "' is not a dictd base-64 number");
      }
      v = v * 64 + d;
    }
    return v;
  }

  /** The pair of one entry's text, or empty when the entry does not make a clean pair. */
  public static Optional<Definition> parseEntry(String entry) {
    String[] lines = entry.split("\n");
    if (lines.length < 2) {
      return Optional.empty();
    }
    int cut = lines[0].indexOf(" \\");
    if (cut <= 0) {
      return Optional.empty();
    }
    String headword = lines[0].substring(0, cut).trim();
    if (!HEADWORD.matcher(headword).matches()) {
      return Optional.empty();
    }
    // The header runs on while its etymology bracket is open.
    int depth = 0;
    int i = 0;
    do {
      depth += bracketBalance(lines[i]);
      i++;
    } while (depth > 0 && i < lines.length);
    StringBuilder body = new StringBuilder();
    for (; i < lines.length; i++) {
      String l = lines[i].trim();
      if (l.isEmpty() || l.startsWith("[1913 Webster]") || l.startsWith("[")) {
        break;
      }
      body.append(body.isEmpty() ? "" : " ").append(l);
    }
    String text = body.toString();
    text = SENSE_NUMBER.matcher(text).replaceFirst("");
    text = FIELD_LABEL.matcher(text).replaceFirst("");
    text = CITATION.matcher(text).replaceFirst("");
    int semicolon = text.indexOf(';');
    if (semicolon >= 0) {
      text = text.substring(0, semicolon);
    }
    text = text.replace("{", "").replace("}", "").replaceAll("\\s+", " ").trim();
    if (text.endsWith(".") || text.endsWith(",") || text.endsWith(":")) {
      text = text.substring(0, text.length() - 1).trim();
    }
    if (text.length() < MIN_DEFINITION
        || text.length() > MAX_DEFINITION
        || !PLAIN.matcher(text).matches()
        || !Character.isUpperCase(text.charAt(0))) {
      return Optional.empty();
    }
    return Optional.of(new Definition(headword, text + "."));
  }

  private static int bracketBalance(String line) {
    int b = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '[') {
        b++;
      } else if (c == ']') {
        b--;
      }
    }
    return b;
  }
}
