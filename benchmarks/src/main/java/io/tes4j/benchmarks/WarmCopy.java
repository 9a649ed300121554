package io.tes4j.benchmarks;

import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.Transfers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Copies files with tes4j's transfer code in one long-lived JVM, and prints each copy's time, so
 * that the speed of that code once the JVM is started and its JIT warm can be told apart from the
 * start-up that every {@code tes4j cp} pays. {@code transfer-vs-curl.sh} uses it for its {@code
 * warm} columns.
 *
 * <pre>
 * java -cp tes-cli/target/tes4j.jar:benchmarks/target/classes io.tes4j.benchmarks.WarmCopy RUNS SRC DST
 * java -cp tes-cli/target/tes4j.jar:benchmarks/target/classes io.tes4j.benchmarks.WarmCopy -
 * </pre>
 *
 * <p>With {@code RUNS}, it copies {@code SRC} to {@code DST} that many times in a row, printing
 * {@code run N: SECONDS} per copy, then {@code best-warm: SECONDS}: the best of the runs after the
 * first (the first pays for loading classes and the cold JIT). With {@code -}, it reads one copy
 * per line of standard input, {@code SRC} and {@code DST} separated by a tab, and answers each with
 * {@code done SECONDS} (or {@code failed MESSAGE}) once the copy is complete, until its input ends:
 * the script can then run curl, a cold {@code tes4j cp} and this warm copy in turn, under the same
 * conditions (the same page cache, after the same {@code sync}).
 *
 * <p>One side is a local path, the other a URL, as for {@code tes4j cp}. Settings and credentials
 * come from the environment ({@code AWS_*}, {@code TES4J_S3_PAYLOAD_SIGNING}...), as for the CLI.
 */
public final class WarmCopy {
  private WarmCopy() {}

  /**
   * Runs the copies.
   *
   * @param args RUNS (at least 2), SRC, DST; or {@code -}
   */
  public static void main(String[] args) throws Exception {
    boolean served = args.length == 1 && args[0].equals("-");
    if (!served && (args.length != 3 || !args[0].matches("[2-9]|[1-9][0-9]+"))) {
      System.err.println("usage: WarmCopy RUNS SRC DST  (RUNS >= 2; one of SRC and DST a local path)");
      System.err.println("       WarmCopy -             (copies read from standard input: SRC<TAB>DST per line)");
      System.exit(2);
    }
    try (Transfers transfers = Transfers.create(TransferSettings.fromEnvironment(System.getenv()))) {
      if (served) {
        serve(transfers);
      } else {
        repeat(transfers, Integer.parseInt(args[0]), args[1], args[2]);
      }
    }
  }

  private static void repeat(Transfers transfers, int runs, String source, String target) {
    double best = Double.MAX_VALUE;
    for (int run = 1; run <= runs; run++) {
      double seconds = copy(transfers, source, target);
      System.out.printf(Locale.ROOT, "run %d: %.3f%n", run, seconds);
      if (run > 1) {
        best = Math.min(best, seconds);
      }
    }
    System.out.printf(Locale.ROOT, "best-warm: %.3f%n", best);
  }

  private static void serve(Transfers transfers) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] sides = line.split("\t", -1);
      if (sides.length != 2) {
        System.out.println("failed expected SRC<TAB>DST, got: " + line);
      } else {
        try {
          System.out.printf(Locale.ROOT, "done %.3f%n", copy(transfers, sides[0], sides[1]));
        } catch (RuntimeException e) {
          System.out.println("failed " + e.getMessage().replace('\n', ' '));
        }
      }
      System.out.flush();
    }
  }

  /** One copy; returns its time in seconds. */
  private static double copy(Transfers transfers, String source, String target) {
    boolean download = isUrl(source);
    if (download == isUrl(target)) {
      throw new IllegalArgumentException("exactly one of SRC and DST must be a URL (scheme://...)");
    }
    if (download) {
      Path path = Path.of(target);
      try {
        Files.deleteIfExists(path); // before the clock starts: curl's runs do not pay for it either
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      long start = System.nanoTime();
      transfers.download(source, path);
      return (System.nanoTime() - start) / 1e9;
    }
    long start = System.nanoTime();
    transfers.upload(Path.of(source), target);
    return (System.nanoTime() - start) / 1e9;
  }

  private static boolean isUrl(String text) {
    return text.matches("[A-Za-z][A-Za-z0-9+.-]*://.*");
  }
}
