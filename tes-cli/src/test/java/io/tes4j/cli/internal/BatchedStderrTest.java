package io.tes4j.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatchedStderrTest {
  /** Counts the writes that reach the file descriptor's stream. */
  private static final class Counting extends ByteArrayOutputStream {
    int writes;

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
      writes++;
      super.write(bytes, offset, length);
    }

    synchronized String text() {
      return toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void linesFlushedOneByOneReachTheStreamInOneWriteSoonAfter() throws Exception {
    Counting fd = new Counting();
    PrintStream log = new PrintStream(BatchedStderr.over(fd), false, StandardCharsets.UTF_8);
    for (int i = 0; i < 1000; i++) {
      log.println("request " + i + ": GET /ga4gh/tes/v1/tasks -> 200 in 0 ms, user -");
      log.flush(); // as slf4j-simple does after every line
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!fd.text().contains("request 999:") && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(fd.text().lines()).hasSize(1000).startsWith("request 0: GET /ga4gh/tes/v1/tasks -> 200 in 0 ms, user -");
    // One write per 20 ms or per 64 KiB: a handful, where writing each flushed line would be 1,000.
    assertThat(fd.writes).as("writes for 1,000 flushed lines").isLessThan(100);
  }

  @Test
  void closeWritesWhatIsLeftAtOnceAndLaterLinesGoStraightThrough() {
    Counting fd = new Counting();
    BatchedStderr batched = BatchedStderr.over(fd);
    PrintStream log = new PrintStream(batched, false, StandardCharsets.UTF_8);
    log.println("stopped serving http://127.0.0.1:8000/ga4gh/tes/v1");
    log.flush();
    batched.close();
    assertThat(fd.text()).isEqualTo("stopped serving http://127.0.0.1:8000/ga4gh/tes/v1" + System.lineSeparator());
    log.println("after");
    log.flush();
    assertThat(fd.text()).endsWith("after" + System.lineSeparator());
  }

  @Test
  void aLineLargerThanTheBufferIsWrittenWhole() throws Exception {
    Counting fd = new Counting();
    BatchedStderr batched = BatchedStderr.over(fd);
    batched.write("first\n".getBytes(StandardCharsets.UTF_8));
    byte[] large = "x".repeat(100_000).getBytes(StandardCharsets.UTF_8);
    batched.write(large);
    assertThat(fd.text()).startsWith("first\nxxx").hasSize(6 + 100_000);
  }
}
