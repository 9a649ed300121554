package io.tes4j.examples.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.backend.local.LocalBackend;
import io.tes4j.backend.local.LocalRuntime;
import io.tes4j.engine.TesEngine;
import io.tes4j.examples.archive.ArchiveRetrieve.Summary;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.transfer.ObjectInfo;
import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.Transfers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flow on {@code local:?runtime=host} against a real S3 server (S3Proxy on 127.0.0.1), with the
 * example's tag limits: {@code flow=archive:2,retrieve:1}.
 */
class ArchiveRetrieveTest {
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static S3Server s3;

  /** The state changes the engine reported, in the order it reported them. */
  private record Change(String taskId, State to) {}

  @BeforeAll
  static void startS3() throws Exception {
    s3 = new S3Server();
    s3.createBucket("archive");
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.stop();
  }

  /**
   * What {@code TesClient.connect(ArchiveRetrieve.DEFAULT_BACKEND)} opens, with this test's S3
   * server: a {@code local:} URI takes its S3 settings from the process's AWS variables only, which a
   * test cannot set, so the backend is built here with the same settings read from a map.
   */
  private static TesEngine engine(List<Change> changes) {
    return TesEngine.builder()
        .backend(LocalBackend.builder()
            .runtime(LocalRuntime.HOST)
            .transferSettings(TransferSettings.fromEnvironment(s3.env()))
            .build())
        .parameter("tagLimit.flow", "archive:2,retrieve:1") // as in DEFAULT_BACKEND's query
        .listener((id, from, to) -> changes.add(new Change(id, to)))
        .build();
  }

  @Test
  void everyRetrievedFileMatchesItsOriginalAndTheLimitsHeld(@TempDir Path dir) throws Exception {
    List<Path> files = new ArrayList<>();
    Random random = new Random(42);
    for (int i = 1; i <= 6; i++) {
      byte[] bytes = new byte[64 * 1024 * i + i];
      random.nextBytes(bytes);
      files.add(Files.write(Files.createDirectories(dir.resolve("originals")).resolve("sample-" + i + ".bin"), bytes));
    }
    Path restored = dir.resolve("restored");
    List<Change> changes = Collections.synchronizedList(new ArrayList<>());
    String prefix = "s3://archive/2026-12/";

    Summary summary;
    Map<String, String> flowOf = new HashMap<>();
    try (TesEngine tes = engine(changes)) {
      summary = ArchiveRetrieve.run(tes, files, files.subList(0, 3), prefix, restored, WAIT);
      for (Change change : changes) {
        flowOf.computeIfAbsent(change.taskId(), id -> tes.getTask(id, View.BASIC).tags().get("flow"));
      }
    }

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    ArchiveRetrieve.print(summary, new PrintStream(printed, true, StandardCharsets.UTF_8));
    String report = printed.toString(StandardCharsets.UTF_8);
    assertThat(summary.complete()).as(report).isTrue();
    assertThat(summary.archived()).hasSize(6);
    assertThat(summary.retrieved()).hasSize(3);

    // Each retrieved file is its original, byte for byte.
    for (Path original : files.subList(0, 3)) {
      assertThat(sha256(restored.resolve(original.getFileName()))).isEqualTo(sha256(original));
    }
    assertThat(restored.resolve("sample-4.bin")).doesNotExist();
    // Every file and its checksum is in the bucket.
    try (Transfers transfers = Transfers.create(TransferSettings.fromEnvironment(s3.env()))) {
      Map<String, Long> sizes = new HashMap<>();
      for (ObjectInfo object : transfers.list(prefix)) {
        sizes.put(object.url().toString().substring(prefix.length()), object.size());
      }
      for (Path original : files) {
        String name = original.getFileName().toString();
        assertThat(sizes).containsEntry(name, Files.size(original)).containsKey(name + ".sha256");
      }
      Path checksum = dir.resolve("sample-5.bin.sha256");
      transfers.download(prefix + "sample-5.bin.sha256", checksum);
      assertThat(checksum).hasContent(sha256(files.get(4)) + "  sample-5.bin");
    }

    // The engine's own account: never more than 2 archive tasks, or 1 retrieve task, started and not
    // ended; and as many as allowed did run at once.
    assertThat(mostAtOnce(changes, flowOf, "archive")).isEqualTo(2);
    assertThat(mostAtOnce(changes, flowOf, "retrieve")).isEqualTo(1);
    // The task logs, which the example reads (and any TES server reports), say the same.
    assertThat(report).contains("archive: 6 tasks, at most 2 at once", "retrieve: 3 tasks, at most 1 at once");
  }

  @Test
  void aDamagedArchiveFailsItsRetrieveTask(@TempDir Path dir) throws Exception {
    Path original = Files.writeString(dir.resolve("notes.txt"), "the original\n");
    String prefix = "s3://archive/damaged/";
    try (TesEngine tes = engine(Collections.synchronizedList(new ArrayList<>()));
        Transfers transfers = Transfers.create(TransferSettings.fromEnvironment(s3.env()))) {
      Summary archived = ArchiveRetrieve.run(tes, List.of(original), List.of(), prefix, dir, WAIT);
      assertThat(archived.complete()).isTrue();
      transfers.upload(Files.writeString(dir.resolve("tampered"), "not the original\n"), prefix + "notes.txt");

      Task retrieve = tes.await(
          tes.createTask(ArchiveRetrieve.retrieveTask("notes.txt", prefix, dir.resolve("restored"))), WAIT);

      assertThat(retrieve.state()).isEqualTo(State.EXECUTOR_ERROR);
      assertThat(retrieve.lastLog().orElseThrow().logs().get(0).stdout()).contains("notes.txt: FAILED");
      assertThat(dir.resolve("restored/notes.txt")).doesNotExist();
    }
  }

  /** The most tasks of {@code flow} admitted (INITIALIZING until they end) at once, from the listener's changes. */
  private static int mostAtOnce(List<Change> changes, Map<String, String> flowOf, String flow) {
    int now = 0;
    int most = 0;
    synchronized (changes) {
      for (Change change : changes) {
        if (!flow.equals(flowOf.get(change.taskId()))) {
          continue;
        }
        if (change.to() == State.INITIALIZING) {
          most = Math.max(most, ++now);
        } else if (change.to().isTerminal()) {
          now--; // every task of this test started, so each end closes a start
        }
      }
    }
    return most;
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
