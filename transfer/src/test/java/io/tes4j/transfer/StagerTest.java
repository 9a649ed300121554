package io.tes4j.transfer;

import static io.tes4j.transfer.TestData.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.model.FileType;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.OutputFileLog;
import io.tes4j.model.Task;
import io.tes4j.transfer.TransferException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StagerTest {
  @TempDir Path tmp;
  Path root;
  Transfers transfers;
  Stager stager;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectories(tmp.resolve("work"));
    transfers = Transfers.create(TestData.quick().build());
    stager = new Stager(transfers);
  }

  @AfterEach
  void tearDown() {
    transfers.close();
  }

  private Path write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }

  private static Task task(List<Input> inputs, List<Output> outputs, String... volumes) {
    return Task.builder().inputs(inputs).outputs(outputs).volumes(volumes).build();
  }

  @Nested
  class HostPaths {
    @Test
    void containerPathsMapUnderTheRoot() {
      assertThat(Stager.hostPath(root, "/in/x.txt")).isEqualTo(root.resolve("in/x.txt"));
      assertThat(Stager.hostPath(root, "/a/./b//c/")).isEqualTo(root.resolve("a/b/c"));
      assertThat(Stager.hostPath(root, "/")).isEqualTo(root);
    }

    @Test
    void relativePathsAndDotDotAreRefused() {
      for (String bad : List.of("in/x", "", "/in/../../etc/passwd", "/..", "/a/..")) {
        assertThatThrownBy(() -> Stager.hostPath(root, bad))
            .as(bad)
            .isInstanceOfSatisfying(TransferException.class, e -> {
              assertThat(e.reason()).isEqualTo(Reason.NOT_ALLOWED);
              assertThat(e.location()).isEqualTo(bad);
            });
      }
    }

    @Test
    void linksThatLeadOutAreRefusedAndLinksThatStayInAreFine() throws IOException {
      Path outside = Files.createDirectories(tmp.resolve("outside"));
      Files.createSymbolicLink(root.resolve("escape"), outside);
      Files.createDirectories(root.resolve("real"));
      Files.createSymbolicLink(root.resolve("alias"), root.resolve("real"));
      Files.createSymbolicLink(root.resolve("nowhere"), tmp.resolve("missing"));

      assertThatThrownBy(() -> Stager.hostPath(root, "/escape/x.txt"))
          .isInstanceOfSatisfying(TransferException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.NOT_ALLOWED);
            assertThat(e.getMessage()).contains("/escape/x.txt").contains("through a link");
          });
      assertThatThrownBy(() -> Stager.hostPath(root, "/nowhere"))
          .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_ALLOWED));
      assertThat(Stager.hostPath(root, "/alias/x.txt")).isEqualTo(root.resolve("alias/x.txt"));
    }
  }

  @ParameterizedTest
  @CsvSource({
    "/w/*.txt, /w/a.txt, true",
    "/w/*.txt, /w/.hidden.txt, true",
    "/w/*.txt, /w/sub/a.txt, false",
    "/w/*/a.txt, /w/sub/a.txt, true",
    "/w/**.txt, /w/sub/a.txt, false",
    "/w/?.txt, /w/a.txt, true",
    "/w/?.txt, /w/ab.txt, false",
    "/w/[ab].txt, /w/b.txt, true",
    "/w/[ab].txt, /w/c.txt, false",
    "/w/[!ab].txt, /w/c.txt, true",
    "/w/[^ab].txt, /w/a.txt, false",
    "/w/[a-c]x, /w/bx, true",
    "/w/[]]x, /w/]x, true",
    "/w/\\*.txt, /w/*.txt, true",
    "/w/\\*.txt, /w/a.txt, false",
    "/w/a[.txt, /w/a[.txt, true",
    "/w/(a)+.txt, /w/(a)+.txt, true",
    "/w/ä*.txt, /w/äöü.txt, true",
  })
  void wildcardsFollowPosixRules(String pattern, String path, boolean matches) {
    assertThat(Stager.globPattern(pattern).matcher(path).matches()).isEqualTo(matches);
  }

  @Test
  void stagesInputsAndOutputsOverFiles() throws IOException {
    Path data = tmp.resolve("data");
    write(data.resolve("dir with space/ä ö.txt"), "umlauts");
    write(data.resolve("tree/a.txt"), "a");
    write(data.resolve("tree/sub/b.txt"), "bb");
    Task task = task(
        List.of(
            Input.ofContent("", "/in/empty.txt"),
            Input.ofContent("echo hi\n", "/in/scripts/run.sh"),
            Input.ofUrl("file://" + data.resolve("dir with space/ä ö.txt"), "/in/ä ö.txt"),
            Input.builder().url(data.resolve("tree").toString()).path("/in/tree").type(FileType.DIRECTORY).build(),
            Input.ofUrl("file://" + data.resolve("tree") + "/", "/in/tree2")),
        List.of(),
        "/vol/shared");

    stager.stageInputs(task, root);

    assertThat(root.resolve("in/empty.txt")).isEmptyFile();
    assertThat(root.resolve("in/scripts/run.sh")).hasContent("echo hi");
    assertThat(root.resolve("in/ä ö.txt")).hasContent("umlauts");
    assertThat(tree(root.resolve("in/tree"))).containsExactly("a.txt", "sub/", "sub/b.txt");
    assertThat(tree(root.resolve("in/tree2"))).containsExactly("a.txt", "sub/", "sub/b.txt");
    assertThat(root.resolve("vol/shared")).isEmptyDirectory();

    // The executors ran and wrote these:
    write(root.resolve("out/result.txt"), "result");
    write(root.resolve("out/dir/x.txt"), "x");
    write(root.resolve("out/dir/deep/y z.txt"), "yy");
    write(root.resolve("work/s1.log"), "1");
    write(root.resolve("work/s2.log"), "22");
    write(root.resolve("work/skip.txt"), "no");
    write(root.resolve("work/nested/s3.log"), "333");
    Path dest = tmp.resolve("dest");
    Task outputs = task(
        List.of(),
        List.of(
            Output.of("/out/result.txt", dest.resolve("result.txt").toString()),
            Output.builder().path("/out/dir").url("file://" + dest.resolve("dir")).type(FileType.DIRECTORY).build(),
            Output.builder().path("/work/*.log").pathPrefix("/work").url("file://" + dest.resolve("logs")).build(),
            Output.builder().path("/work/n*").pathPrefix("/").url(dest.resolve("nested").toString()).build(),
            Output.builder().path("/work/*.none").pathPrefix("/work").url(dest.resolve("none").toString()).build(),
            Output.of("/out/dir", dest.resolve("inferred").toString())));

    List<OutputFileLog> logs = stager.stageOutputs(outputs, root);

    assertThat(logs).containsExactly(
        OutputFileLog.of(dest.resolve("result.txt").toString(), "/out/result.txt", 6),
        OutputFileLog.of("file://" + dest.resolve("dir/deep/y z.txt"), "/out/dir/deep/y z.txt", 2),
        OutputFileLog.of("file://" + dest.resolve("dir/x.txt"), "/out/dir/x.txt", 1),
        OutputFileLog.of("file://" + dest.resolve("logs/s1.log"), "/work/s1.log", 1),
        OutputFileLog.of("file://" + dest.resolve("logs/s2.log"), "/work/s2.log", 2),
        OutputFileLog.of("file://" + dest.resolve("nested/work/nested/s3.log"), "/work/nested/s3.log", 3),
        OutputFileLog.of("file://" + dest.resolve("inferred/deep/y z.txt"), "/out/dir/deep/y z.txt", 2),
        OutputFileLog.of("file://" + dest.resolve("inferred/x.txt"), "/out/dir/x.txt", 1));
    assertThat(tree(dest)).containsExactly(
        "dir/", "dir/deep/", "dir/deep/y z.txt", "dir/x.txt",
        "inferred/", "inferred/deep/", "inferred/deep/y z.txt", "inferred/x.txt",
        "logs/", "logs/s1.log", "logs/s2.log",
        "nested/", "nested/work/", "nested/work/nested/", "nested/work/nested/s3.log",
        "result.txt");
  }

  @Test
  void aMissingOutputIsAnErrorNamingItAndNothingIsUploaded() throws IOException {
    write(root.resolve("out/present.txt"), "p");
    Path dest = tmp.resolve("dest");
    Task task = task(List.of(), List.of(
        Output.of("/out/present.txt", dest.resolve("present.txt").toString()),
        Output.of("/out/result.txt", dest.resolve("result.txt").toString())));

    assertThatThrownBy(() -> stager.stageOutputs(task, root))
        .isInstanceOfSatisfying(TransferException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
          assertThat(e.getMessage()).isEqualTo("outputs[1]: /out/result.txt was not produced");
        });
    assertThat(dest).doesNotExist();
  }

  @Test
  void anOutputTypeThatDoesNotMatchTheDiskIsAnError() throws IOException {
    write(root.resolve("out/dir/x.txt"), "x");
    Task task = task(List.of(), List.of(
        Output.builder().path("/out/dir").url(tmp.resolve("d").toString()).type(FileType.FILE).build()));
    assertThatThrownBy(() -> stager.stageOutputs(task, root))
        .isInstanceOfSatisfying(TransferException.class,
            e -> assertThat(e.getMessage()).startsWith("outputs[0] (/out/dir → ").contains("is a directory"));
  }

  @Test
  void outputLinksThatLeadOutOfTheWorkDirectoryAreRefused() throws IOException {
    Path secret = write(tmp.resolve("host-secret.txt"), "secret");
    write(root.resolve("out/dir/fine.txt"), "fine");
    Files.createSymbolicLink(root.resolve("out/dir/leak.txt"), secret);
    Files.createSymbolicLink(root.resolve("out/leak.log"), secret);
    Path dest = tmp.resolve("dest");

    assertThatThrownBy(() -> stager.stageOutputs(task(List.of(), List.of(
            Output.of("/out/dir", dest.resolve("d").toString()))), root))
        .isInstanceOfSatisfying(TransferException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.NOT_ALLOWED);
          assertThat(e.getMessage()).startsWith("outputs[0]").contains("leak.txt");
        });
    assertThatThrownBy(() -> stager.stageOutputs(task(List.of(), List.of(
            Output.builder().path("/out/*.log").pathPrefix("/out").url(dest.toString()).build())), root))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_ALLOWED));
    assertThatThrownBy(() -> stager.stageOutputs(task(List.of(), List.of(
            Output.of("/out/leak.log", dest.resolve("f").toString()))), root))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_ALLOWED));
    assertThat(dest).doesNotExist();
  }

  @Test
  void inputsCannotBeWrittenOutsideTheWorkDirectory() {
    Task task = task(List.of(Input.ofContent("x", "/in/../../evil.txt")), List.of());
    assertThatThrownBy(() -> stager.stageInputs(task, root))
        .isInstanceOfSatisfying(TransferException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.NOT_ALLOWED);
          assertThat(e.getMessage()).startsWith("inputs[0] (content → /in/../../evil.txt): ").contains("'..'");
        });
    assertThat(tmp.resolve("evil.txt")).doesNotExist();
  }

  @Nested
  class OverHttp {
    TestHttpStore store;

    @BeforeEach
    void start() throws IOException {
      store = TestHttpStore.start();
    }

    @AfterEach
    void stop() {
      store.close();
    }

    @Test
    void stagesFilesInAndWildcardOutputsOut() throws IOException {
      store.put("/data/reads 1.fq", "ACGT".getBytes(StandardCharsets.UTF_8));
      Task task = task(List.of(Input.ofUrl(store.url("/data/reads 1.fq"), "/in/reads.fq")), List.of());
      stager.stageInputs(task, root);
      assertThat(root.resolve("in/reads.fq")).hasContent("ACGT");

      write(root.resolve("work/a.txt"), "a");
      write(root.resolve("work/b.txt"), "bb");
      write(root.resolve("work/c.csv"), "c");
      String outUrl = "http://user:pw-secret@127.0.0.1:" + store.port() + "/results";
      store.requireAuthorization("127.0.0.1",
          "Basic " + Base64.getEncoder().encodeToString("user:pw-secret".getBytes(StandardCharsets.UTF_8)));
      List<OutputFileLog> logs = stager.stageOutputs(task(List.of(), List.of(
          Output.builder().path("/work/*.txt").pathPrefix("/work/").url(outUrl).build())), root);

      String base = "http://user@127.0.0.1:" + store.port() + "/results/";
      assertThat(logs).containsExactly(
          OutputFileLog.of(base + "a.txt", "/work/a.txt", 1),
          OutputFileLog.of(base + "b.txt", "/work/b.txt", 2));
      assertThat(store.get("/results/b.txt")).asString(StandardCharsets.UTF_8).isEqualTo("bb");
      assertThat(store.get("/results/c.csv")).isNull();
    }

    @Test
    void aDirectoryInputOverHttpIsAClearErrorNamingTheInput() {
      Task task = task(List.of(
          Input.ofContent("x", "/in/x"),
          Input.builder().url(store.url("/data/")).path("/in/data").type(FileType.DIRECTORY).build()), List.of());
      assertThatThrownBy(() -> stager.stageInputs(task, root))
          .isInstanceOfSatisfying(TransferException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
            assertThat(e.getMessage())
                .startsWith("inputs[1] (" + store.url("/data/") + " → /in/data): ")
                .contains("HTTP has no directory listing")
                .contains("list the files as separate inputs");
          });
    }

    @Test
    void aMissingInputIsNotFoundNamingTheInput() {
      Task task = task(List.of(Input.ofUrl(store.url("/nope.txt"), "/in/nope.txt")), List.of());
      assertThatThrownBy(() -> stager.stageInputs(task, root))
          .isInstanceOfSatisfying(TransferException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
            assertThat(e.getMessage()).isEqualTo("inputs[0] (" + store.url("/nope.txt") + " → /in/nope.txt): not found");
          });
      assertThat(root.resolve("in/nope.txt")).doesNotExist();
    }

    @Test
    void progressIsReportedToTheStagersListener() throws IOException {
      store.put("/p.bin", TestData.bytes(300_000, 1));
      TestData.Recorder recorder = new TestData.Recorder();
      new Stager(transfers, recorder).stageInputs(task(List.of(Input.ofUrl(store.url("/p.bin"), "/in/p.bin")), List.of()), root);
      assertThat(recorder.lastProgress().done()).isEqualTo(300_000);
      assertThat(recorder.completed).hasSize(1);
    }
  }
}
