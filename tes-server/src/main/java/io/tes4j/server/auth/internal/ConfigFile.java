package io.tes4j.server.auth.internal;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The meaningful lines of a users or tokens file: UTF-8, {@code #} comments and blank lines left
 * out, each line with its number for messages.
 */
final class ConfigFile {
  private ConfigFile() {}

  /** One line: its 1-based number and its text without surrounding whitespace. */
  record Line(int number, String text) {}

  /**
   * @param kind what the file is, for messages: {@code users file}, {@code tokens file}
   * @throws IllegalArgumentException when the file is missing, unreadable or not UTF-8
   */
  static List<Line> read(Path file, String kind) {
    List<String> raw;
    try {
      raw = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(kind + " " + file + " does not exist", e);
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(kind + " " + file + " is not UTF-8 text", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          kind + " " + file + " cannot be read: " + e.getClass().getSimpleName(), e);
    }
    List<Line> lines = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      String text = raw.get(i);
      if (i == 0 && text.startsWith("\uFEFF")) {
        text = text.substring(1); // a byte order mark left by some Windows editors
      }
      text = text.strip();
      if (!text.isEmpty() && !text.startsWith("#")) {
        lines.add(new Line(i + 1, text));
      }
    }
    return lines;
  }
}
