package io.tes4j.cli.internal;

import io.tes4j.model.TaskValidator;
import io.tes4j.model.Violation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads task files ({@code -} is standard input) and reports their problems as
 * {@code FILE: JSONPATH: message} lines on standard error.
 */
final class TaskFiles {
  /** The argument that names standard input. */
  static final String STDIN = "-";

  private TaskFiles() {}

  /** How {@code file} is named in messages. */
  static String displayName(String file) {
    return STDIN.equals(file) ? "<stdin>" : file;
  }

  /**
   * The text of {@code file}, or empty after writing {@code FILE: cannot read: reason} to
   * standard error.
   */
  static Optional<String> read(Context ctx, String file) {
    try {
      byte[] bytes = STDIN.equals(file) ? ctx.in().readAllBytes() : Files.readAllBytes(Path.of(file));
      return Optional.of(decode(bytes));
    } catch (NoSuchFileException | InvalidPathException e) {
      cannotRead(ctx, file, "no such file");
    } catch (AccessDeniedException e) {
      cannotRead(ctx, file, "permission denied");
    } catch (CharacterCodingException e) {
      cannotRead(ctx, file, "not UTF-8 text");
    } catch (NotDirectoryException e) {
      cannotRead(ctx, file, "no such file (a parent is not a directory)");
    } catch (IOException e) {
      cannotRead(ctx, file, Files.isDirectory(Path.of(file)) ? "is a directory" : reason(e));
    }
    return Optional.empty();
  }

  /**
   * Validates {@code json}, the text of {@code file}, writing one line per problem.
   *
   * @return whether it is a valid task
   */
  static boolean validate(Context ctx, String file, String json) {
    List<Violation> violations = TaskValidator.validateJson(json);
    report(ctx, file, violations);
    return violations.isEmpty();
  }

  /** Writes {@code FILE: JSONPATH: message} for each violation. */
  static void report(Context ctx, String file, List<Violation> violations) {
    for (Violation v : violations) {
      ctx.line(displayName(file) + ": " + v.path() + ": " + v.message());
    }
  }

  private static void cannotRead(Context ctx, String file, String reason) {
    ctx.line(displayName(file) + ": cannot read: " + reason);
  }

  private static String reason(IOException e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  /** Strict UTF-8: a file in another encoding is an error, not silently mangled text. */
  private static String decode(byte[] bytes) throws CharacterCodingException {
    String text =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes))
            .toString();
    // A byte order mark is not JSON; editors on some systems write one.
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }
}
