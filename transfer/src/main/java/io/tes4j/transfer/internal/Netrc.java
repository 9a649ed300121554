package io.tes4j.transfer.internal;

import io.tes4j.transfer.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@code .netrc} file, the place curl, wget, ftp and TESK's filer take FTP and HTTP
 * passwords from: {@code machine HOST login USER password PASS} entries, in any layout of
 * whitespace and lines. {@code default} and {@code macdef} entries are skipped: a default password
 * would be sent to every host, which is exactly what credentials must never do. Internal.
 */
public final class Netrc {
  private Netrc() {}

  /** The credentials of every complete {@code machine} entry, in file order. */
  public static List<Credentials> read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8));
  }

  /** As {@link #read}, from the text of a file. */
  public static List<Credentials> parse(String text) {
    List<String> tokens = new ArrayList<>();
    for (String line : text.split("\\R")) {
      String stripped = line.strip();
      if (stripped.startsWith("#")) {
        continue;
      }
      for (String token : stripped.split("\\s+")) {
        if (!token.isEmpty()) {
          tokens.add(token);
        }
      }
    }
    List<Credentials> result = new ArrayList<>();
    String machine = null;
    String login = null;
    String password = null;
    boolean inMacro = false;
    for (int i = 0; i < tokens.size(); i++) {
      String token = tokens.get(i);
      if (inMacro) {
        // A macro runs until the next entry keyword; its body is commands, not credentials.
        if (!token.equals("machine") && !token.equals("default")) {
          continue;
        }
        inMacro = false;
      }
      switch (token) {
        case "machine", "default", "macdef" -> {
          add(result, machine, login, password);
          machine = token.equals("machine") && i + 1 < tokens.size() ? tokens.get(++i) : null;
          login = null;
          password = null;
          inMacro = token.equals("macdef");
          if (inMacro && i + 1 < tokens.size()) {
            i++; // the macro's name
          }
        }
        case "login" -> login = i + 1 < tokens.size() ? tokens.get(++i) : null;
        case "password" -> password = i + 1 < tokens.size() ? tokens.get(++i) : null;
        case "account", "port" -> i++;
        default -> {
          // An unknown token: ignored, as curl does.
        }
      }
    }
    add(result, machine, login, password);
    return result;
  }

  private static void add(List<Credentials> result, String machine, String login, String password) {
    if (machine != null && login != null && password != null) {
      result.add(Credentials.password(machine, login, password));
    }
  }
}
