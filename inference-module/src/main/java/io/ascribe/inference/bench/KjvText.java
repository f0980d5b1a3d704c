package io.ascribe.inference.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The King James Bible (public domain) as plain text, one verse per line, from Debian's {@code
 * bible-kjv} program (its {@code bible-kjv-text} data file is in a compressed format of its own, so
 * the program is what reads it). The program prints a heading per chapter ({@code Genesis 1})
 * between blank lines and each verse as its number then its text; {@link #parse} drops the headings
 * and numbers and joins a verse's wrapped lines.
 */
public final class KjvText {
  /** The program Debian's bible-kjv installs. */
  public static final String PROGRAM = "bible";

  private static final Pattern VERSE = Pattern.compile("^\\s+(\\d+) (.*)$");

  private KjvText() {}

  /** Runs {@code bible} over the whole book and returns {@link #parse}'s text. */
  public static String read() throws IOException {
    Path out = Files.createTempFile("kjv", ".txt");
    try {
      Process p =
          new ProcessBuilder(PROGRAM, "-l100000", "gen1:1-rev22:21")
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(PROGRAM + " failed: " + Files.readString(out).strip());
      }
      return parse(Files.readString(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("error=2")) {
        throw new NoSuchFileException(
            PROGRAM + " (install Debian's bible-kjv: sudo scripts/bench-data.sh)");
      }
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading the KJV", e);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** The verses of {@code bible}'s output, one per line, without headings or verse numbers. */
  public static String parse(String output) {
    List<StringBuilder> verses = new ArrayList<>();
    boolean afterBlank = true;
    for (String line : output.split("\n", -1)) {
      if (line.isBlank()) {
        afterBlank = true;
        continue;
      }
      Matcher m = VERSE.matcher(line);
      if (m.matches()) {
        verses.add(new StringBuilder(m.group(2).strip()));
      } else if (afterBlank && !Character.isWhitespace(line.charAt(0))) {
        // A chapter heading: "Genesis 1", "Song of Solomon 2".
      } else if (!verses.isEmpty()) {
        verses.getLast().append(' ').append(line.strip());
      }
      afterBlank = false;
    }
    StringBuilder text = new StringBuilder();
    for (StringBuilder v : verses) {
      text.append(v).append('\n');
    }
    return text.toString();
  }

  /**
   * {@code text} in consecutive pieces of at most {@code length} characters, each cut after the
   * last space in its window so words stay whole.
   */
  public static List<String> chunks(String text, int length) {
    if (length < 2) {
      throw new IllegalArgumentException("chunk length must be at least 2, got " + length);
    }
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      int end = Math.min(text.length(), i + length);
      if (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
        int space = Math.max(text.lastIndexOf(' ', end - 1), text.lastIndexOf('\n', end - 1));
        if (space > i) {
          end = space + 1;
        }
      }
      String piece = text.substring(i, end).strip();
      if (!piece.isEmpty()) {
        out.add(piece);
      }
      i = end;
    }
    return out;
  }
}
