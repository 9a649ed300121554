package io.tes4j.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.model.Executor;
import io.tes4j.model.ExecutorLog;
import io.tes4j.model.FileType;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.OutputFileLog;
import io.tes4j.model.Resources;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TaskLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every {@link TaskStore} must do. A store's test extends this class and supplies {@link
 * #newStore()}; a durable store also overrides {@link #reopen(TaskStore)}, and the tests that need
 * it are skipped, with the reason, for one that does not.
 *
 * <p>Ids here are {@code t000001}-style strings, which sort in creation order as the engine's do.
 */
public abstract class TaskStoreContract {

  /** The store under test, new and empty for each test; closed after it. */
  protected TaskStore store;

  /** A new, empty store. */
  protected abstract TaskStore newStore() throws Exception;

  /**
   * Closes {@code store} and opens the same storage again. The default skips the calling test: a
   * store that keeps nothing across a close (in memory) cannot be reopened.
   */
  protected TaskStore reopen(TaskStore store) throws Exception {
    Assumptions.abort(getClass().getSimpleName() + " keeps nothing across a close");
    return store;
  }

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  // ------------------------------------------------------------------------------------------
  // Fixtures

  /** An id that sorts as the n-th created. */
  protected static String id(int n) {
    return String.format("t%06d", n);
  }

  /** A QUEUED task with this id, name and tags. */
  protected static StoredTask task(String id, String name, Map<String, String> tags) {
    return new StoredTask(
        Task.builder()
            .id(id)
            .state(State.QUEUED)
            .name(name)
            .tags(tags)
            .addExecutor(Executor.of("alpine:3.20", "echo", id))
            .creationTime("2026-11-22T10:00:00Z")
            .build(),
        null);
  }

  /** A task with this id and state. */
  protected static StoredTask task(String id, State state) {
    StoredTask t = task(id, "task " + id, Map.of());
    return new StoredTask(t.task().toBuilder().state(state).build(), null);
  }

  /** A task with every field of every nested object set, as the FULL view shows it. */
  protected static Task fullTask(String id) {
    return Task.builder()
        .id(id)
        .state(State.EXECUTOR_ERROR)
        .name("align 100% of reads_fast")
        .description("aligns reads\nwith a newline, quotes \" and unicode: é😀")
        .addInput(
            Input.builder()
                .name("script")
                .description("the script")
                .path("/in/run.sh")
                .type(FileType.FILE)
                .content("echo hi\n")
                .streamable(false)
                .build())
        .addInput(Input.ofUrl("s3://bucket/reads.fq", "/in/reads.fq"))
        .addOutput(
            Output.builder()
                .name("texts")
                .url("s3://bucket/out/")
                .path("/work/*.txt")
                .pathPrefix("/work")
                .type(FileType.FILE)
                .build())
        .addOutput(Output.of("/work/dir", "file:///tmp/out").toBuilder().type(FileType.DIRECTORY).build())
        .resources(
            Resources.builder()
                .cpuCores(4.0)
                .preemptible(true)
                .ramGb(7.5)
                .diskGb(40.0)
                .zones("us-west-1", "us-west-2")
                .backendParameter("VmSize", "Standard_D64_v3")
                .backendParametersStrict(true)
                .build())
        .addExecutor(
            Executor.builder()
                .image("ubuntu:20.04")
                .command("/bin/md5", "/data/file1")
                .workdir("/data/")
                .stdin("/data/file1")
                .stdout("/tmp/stdout.log")
                .stderr("/tmp/stderr.log")
                .env("BLASTDB", "/data/GRC38")
                .ignoreError(true)
                .build())
        .addExecutor(Executor.of("alpine:3.20", "sh", "-c", "exit 3"))
        .volumes("/vol/A/", "/vol/B")
        .tag("WORKFLOW_ID", "cwl-01234")
        .tag("empty", "")
        .addLog(
            TaskLog.builder()
                .addLog(
                    ExecutorLog.builder()
                        .startTime("2026-11-22T10:00:01Z")
                        .endTime("2026-11-22T10:00:02Z")
                        .stdout("d41d8cd98f00b204e9800998ecf8427e /data/file1\n")
                        .stderr("")
                        .exitCode(0)
                        .build())
                .addLog(ExecutorLog.builder().exitCode(3).stderr("boom").build())
                .metadata("host", "worker-001")
                .startTime("2026-11-22T10:00:00Z")
                .endTime("2026-11-22T10:00:03Z")
                .addOutput(OutputFileLog.of("s3://bucket/out/a.txt", "/work/a.txt", 1024))
                .addSystemLog("ran on worker-001")
                .build())
        .addLog(TaskLog.builder().addSystemLog("second attempt").build())
        .creationTime("2026-11-22T10:00:00.123456Z")
        .build();
  }

  private List<String> ids(TaskPage page) {
    return page.tasks().stream().map(StoredTask::id).collect(Collectors.toList());
  }

  private TaskPage list(String namePrefix, State state, Map<String, String> tags, String beforeId, int limit) {
    return store.list(new TaskQuery(namePrefix, state, tags, beforeId, limit));
  }

  private List<String> all(TaskQuery query) {
    return ids(store.list(query));
  }

  private static TaskQuery everything() {
    return new TaskQuery(null, null, Map.of(), null, 1000);
  }

  // ------------------------------------------------------------------------------------------
  // insert, get, update

  /** The whole document comes back, equal field for field, with the handle. */
  @Test
  void insertThenGetReturnsTheWholeTaskAndItsHandle() {
    Task full = fullTask(id(1));
    store.insert(new StoredTask(full, null));
    store.insert(new StoredTask(fullTask(id(2)), "backend-job-42"));

    StoredTask got = store.get(id(1)).orElseThrow();
    assertThat(got.task()).isEqualTo(full);
    assertThat(got.handle()).isNull();
    assertThat(store.get(id(2)).orElseThrow().handle()).isEqualTo("backend-job-42");
  }

  @Test
  void getOfAnUnknownIdIsEmpty() {
    store.insert(task(id(1), "one", Map.of()));

    assertThat(store.get(id(2))).isEmpty();
    assertThat(store.get("")).isEmpty();
  }

  /** If this fails, check that insert refuses an id it holds rather than replacing the task. */
  @Test
  void insertOfAnExistingIdThrowsAndKeepsTheFirst() {
    store.insert(task(id(1), "first", Map.of("k", "v")));

    assertThatThrownBy(() -> store.insert(task(id(1), "second", Map.of("k", "w"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(id(1));
    assertThat(store.get(id(1)).orElseThrow().task().name()).isEqualTo("first");
    assertThat(store.count()).isEqualTo(1);
    assertThat(all(new TaskQuery(null, null, Map.of("k", "w"), null, 10))).isEmpty();
  }

  /** The future completes once the task is there; many at once all get there, each once. */
  @Test
  void insertAsyncCompletesOnceTheTaskIsStored() throws Exception {
    List<CompletableFuture<Void>> inserts = new ArrayList<>();
    for (int n = 1; n <= 50; n++) {
      inserts.add(store.insertAsync(task(id(n), "n" + n, Map.of("batch", "async"))));
    }
    CompletableFuture.allOf(inserts.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    for (int n = 1; n <= 50; n++) {
      assertThat(store.get(id(n)).orElseThrow().task().name()).isEqualTo("n" + n);
    }
    assertThat(store.count()).isEqualTo(50);
    assertThat(all(new TaskQuery(null, null, Map.of("batch", "async"), null, 100))).hasSize(50);
  }

  /** A failed async insert fails its future as insert throws, and changes nothing. */
  @Test
  void insertAsyncOfAnExistingIdFailsItsFutureAndKeepsTheFirst() {
    store.insert(task(id(1), "first", Map.of()));

    CompletableFuture<Void> second = store.insertAsync(task(id(1), "second", Map.of()));

    assertThat(second).failsWithin(Duration.ofSeconds(30))
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(IllegalStateException.class)
        .withMessageContaining(id(1));
    assertThat(store.get(id(1)).orElseThrow().task().name()).isEqualTo("first");
    assertThat(store.count()).isEqualTo(1);
  }

  @Test
  void updateReplacesTheDocumentAndTheHandle() {
    store.insert(task(id(1), "before", Map.of("stage", "one")));
    Task running =
        fullTask(id(1)).toBuilder().state(State.RUNNING).name("after").tags(Map.of("stage", "two")).build();

    store.update(new StoredTask(running, "handle-1"));

    StoredTask got = store.get(id(1)).orElseThrow();
    assertThat(got.task()).isEqualTo(running);
    assertThat(got.handle()).isEqualTo("handle-1");
    assertThat(store.count()).isEqualTo(1);
    // The filters see the new values, not the old ones.
    assertThat(all(new TaskQuery("after", State.RUNNING, Map.of("stage", "two"), null, 10))).containsExactly(id(1));
    assertThat(all(new TaskQuery("before", null, Map.of(), null, 10))).isEmpty();
    assertThat(all(new TaskQuery(null, State.QUEUED, Map.of(), null, 10))).isEmpty();
    assertThat(all(new TaskQuery(null, null, Map.of("stage", "one"), null, 10))).isEmpty();
  }

  @Test
  void updateOfAMissingIdThrowsAndCreatesNothing() {
    store.insert(task(id(1), "one", Map.of()));

    assertThatThrownBy(() -> store.update(task(id(2), "two", Map.of("k", "v"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(id(2));
    assertThat(store.get(id(2))).isEmpty();
    assertThat(store.count()).isEqualTo(1);
    assertThat(all(new TaskQuery(null, null, Map.of("k", ""), null, 10))).isEmpty();
  }

  @Test
  void updateAllStoresEveryTaskAndNamesOnlyThoseThatFailed() {
    store.insert(task(id(1), "one", Map.of("stage", "one")));
    store.insert(task(id(2), "two", Map.of()));
    store.insert(task(id(4), "four", Map.of()));
    Task running = fullTask(id(1)).toBuilder().state(State.RUNNING).tags(Map.of("stage", "two")).build();

    Map<String, RuntimeException> failures = store.updateAll(List.of(
        new StoredTask(running, "h1"),
        task(id(3), "missing", Map.of("k", "v")),
        task(id(2), State.COMPLETE),
        new StoredTask(task(id(4), State.INITIALIZING).task(), "h4")));

    assertThat(failures).containsOnlyKeys(id(3));
    assertThat(failures.get(id(3))).isInstanceOf(IllegalStateException.class).hasMessageContaining(id(3));
    assertThat(store.get(id(1)).orElseThrow()).isEqualTo(new StoredTask(running, "h1"));
    assertThat(store.get(id(2)).orElseThrow().task().state()).isEqualTo(State.COMPLETE);
    assertThat(store.get(id(4)).orElseThrow().handle()).isEqualTo("h4");
    assertThat(store.get(id(3))).isEmpty();
    assertThat(store.count()).isEqualTo(3);
    assertThat(all(new TaskQuery(null, null, Map.of("stage", "two"), null, 10))).containsExactly(id(1));
    assertThat(all(new TaskQuery(null, null, Map.of("k", "v"), null, 10))).isEmpty();
  }

  @Test
  void updateAllRefusesAnIdGivenTwiceAndChangesNothing() {
    store.insert(task(id(1), "one", Map.of()));

    assertThatThrownBy(() -> store.updateAll(List.of(task(id(1), State.RUNNING), task(id(1), State.COMPLETE))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the task " + id(1) + " appears twice");
    assertThat(store.get(id(1)).orElseThrow().task().state()).isEqualTo(State.QUEUED);
    assertThat(store.updateAll(List.of())).isEmpty();
  }

  @Test
  void updateCanClearTheHandleAndTheTags() {
    store.insert(new StoredTask(task(id(1), "one", Map.of("a", "1", "b", "2")).task(), "h"));

    store.update(task(id(1), "one", Map.of()));

    assertThat(store.get(id(1)).orElseThrow().handle()).isNull();
    assertThat(all(new TaskQuery(null, null, Map.of("a", ""), null, 10))).isEmpty();
  }

  @Test
  void everyUpdateInARunIsSeenWhetherItChangesTheStateOnlyOrTheNameHandleOrTags() {
    store.insert(new StoredTask(task(id(1), "one", Map.of("k", "1")).task(), null));
    // each step: state, name, handle, tags; one of them (or only the state) changes at a time
    record Step(State state, String name, String handle, Map<String, String> tags) {}
    List<Step> steps = List.of(
        new Step(State.INITIALIZING, "one", null, Map.of("k", "1")),
        new Step(State.INITIALIZING, "one", "h1", Map.of("k", "1")),
        new Step(State.RUNNING, "one", "h1", Map.of("k", "1")),
        new Step(State.RUNNING, "renamed", "h1", Map.of("k", "1")),
        new Step(State.RUNNING, "renamed", "h1", Map.of("k", "2", "extra", "x")),
        new Step(State.COMPLETE, "renamed", "h1", Map.of("k", "2", "extra", "x")),
        new Step(State.COMPLETE, "renamed", "h2", Map.of()),
        new Step(State.COMPLETE, "renamed", null, Map.of("k", "3")));
    for (Step step : steps) {
      Task task = fullTask(id(1)).toBuilder().state(step.state()).name(step.name()).tags(step.tags()).build();

      store.update(new StoredTask(task, step.handle()));

      StoredTask got = store.get(id(1)).orElseThrow();
      assertThat(got.task()).as("%s", step).isEqualTo(task);
      assertThat(got.handle()).as("%s", step).isEqualTo(step.handle());
      assertThat(all(new TaskQuery(step.name(), step.state(), step.tags(), null, 10))).as("%s", step)
          .containsExactly(id(1));
      assertThat(all(new TaskQuery("one".equals(step.name()) ? "renamed" : "one", null, Map.of(), null, 10)))
          .as("%s: the old name no longer matches", step).isEmpty();
      for (String key : List.of("k", "extra")) {
        boolean has = step.tags().containsKey(key);
        assertThat(all(new TaskQuery(null, null, Map.of(key, ""), null, 10))).as("%s: tag %s", step, key)
            .hasSize(has ? 1 : 0);
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // list: order and paging

  /** If this fails, check that list orders by id, descending, and not by insertion. */
  @Test
  void listIsNewestFirstByIdWhateverTheInsertionOrder() {
    for (int n : new int[] {3, 1, 5, 2, 4}) {
      store.insert(task(id(n), "n" + n, Map.of()));
    }

    TaskPage page = store.list(everything());

    assertThat(ids(page)).containsExactly(id(5), id(4), id(3), id(2), id(1));
    assertThat(page.more()).isFalse();
  }

  @Test
  void listOfAnEmptyStoreIsAnEmptyLastPage() {
    TaskPage page = store.list(everything());

    assertThat(page.tasks()).isEmpty();
    assertThat(page.more()).isFalse();
  }

  @Test
  void moreIsFalseWhenThePageEndsExactlyAtTheLastTask() {
    for (int n = 1; n <= 3; n++) {
      store.insert(task(id(n), "n", Map.of()));
    }

    TaskPage exact = list(null, null, Map.of(), null, 3);
    TaskPage shorter = list(null, null, Map.of(), null, 2);

    assertThat(ids(exact)).containsExactly(id(3), id(2), id(1));
    assertThat(exact.more()).isFalse();
    assertThat(ids(shorter)).containsExactly(id(3), id(2));
    assertThat(shorter.more()).isTrue();
  }

  /**
   * Paging with the last id of each page as {@code beforeId} sees every task that existed when it
   * started, once, even while newer tasks are inserted between pages.
   */
  @Test
  void pagingWithBeforeIdWhileInsertingSeesEveryOlderTaskOnce() {
    for (int n = 1; n <= 10; n++) {
      store.insert(task(id(n), "n", Map.of()));
    }
    List<String> seen = new ArrayList<>();
    String before = null;
    int inserted = 10;
    int pages = 0;
    while (true) {
      TaskPage page = list(null, null, Map.of(), before, 3);
      seen.addAll(ids(page));
      pages++;
      store.insert(task(id(++inserted), "n", Map.of())); // newer than anything paged so far
      if (!page.more()) {
        break;
      }
      before = page.tasks().get(page.tasks().size() - 1).id();
    }

    assertThat(seen)
        .containsExactly(id(10), id(9), id(8), id(7), id(6), id(5), id(4), id(3), id(2), id(1));
    assertThat(pages).isEqualTo(4);
    assertThat(ids(list(null, null, Map.of(), null, 2))).containsExactly(id(14), id(13));
  }

  @Test
  void beforeIdNeedNotBeAStoredId() {
    for (int n = 1; n <= 4; n++) {
      store.insert(task(id(n * 10), "n", Map.of()));
    }

    assertThat(ids(list(null, null, Map.of(), id(25), 10))).containsExactly(id(20), id(10));
    assertThat(ids(list(null, null, Map.of(), id(10), 10))).isEmpty();
    assertThat(ids(list(null, null, Map.of(), "u", 1))).containsExactly(id(40));
  }

  // ------------------------------------------------------------------------------------------
  // list: filters

  /**
   * If this fails, check that a name prefix is matched literally and case-sensitively: {@code %},
   * {@code _} and backslashes are no wildcards or escapes (as they would be in a LIKE pattern), and
   * {@code A} is not {@code a} (as SQLite's LIKE would have it).
   */
  @Test
  void namePrefixIsLiteralAndCaseSensitive() {
    String[] names = {
      "a%b", "a_b", "aXb", "A%b", "a\\b", "ab", "a", "b%", "abc%", "a%", "é1", "😀x", "\uffffz"
    };
    int n = 0;
    for (String name : names) {
      store.insert(task(id(++n), name, Map.of()));
    }
    store.insert(task(id(++n), null, Map.of()));

    assertThat(names(list("a%", null, Map.of(), null, 100))).containsExactlyInAnyOrder("a%b", "a%");
    assertThat(names(list("a_", null, Map.of(), null, 100))).containsExactly("a_b");
    assertThat(names(list("a\\", null, Map.of(), null, 100))).containsExactly("a\\b");
    assertThat(names(list("A", null, Map.of(), null, 100))).containsExactly("A%b");
    assertThat(names(list("a", null, Map.of(), null, 100)))
        .containsExactlyInAnyOrder("a%b", "a_b", "aXb", "a\\b", "ab", "a", "abc%", "a%");
    assertThat(names(list("ab", null, Map.of(), null, 100))).containsExactlyInAnyOrder("ab", "abc%");
    assertThat(names(list("abc%", null, Map.of(), null, 100))).containsExactly("abc%");
    assertThat(names(list("%", null, Map.of(), null, 100))).isEmpty();
    assertThat(names(list("_", null, Map.of(), null, 100))).isEmpty();
    assertThat(names(list("é", null, Map.of(), null, 100))).containsExactly("é1");
    assertThat(names(list("😀", null, Map.of(), null, 100))).containsExactly("😀x");
    assertThat(names(list("\uffff", null, Map.of(), null, 100))).containsExactly("\uffffz");
    assertThat(names(list("a%b+", null, Map.of(), null, 100))).isEmpty();
    // No prefix, or an empty one: every task, the nameless one too.
    assertThat(list(null, null, Map.of(), null, 100).tasks()).hasSize(names.length + 1);
    assertThat(list("", null, Map.of(), null, 100).tasks()).hasSize(names.length + 1);
  }

  private static List<String> names(TaskPage page) {
    return page.tasks().stream().map(t -> t.task().name()).collect(Collectors.toList());
  }

  @Test
  void stateFilterMatchesExactlyThatState() {
    State[] states = {State.QUEUED, State.RUNNING, State.COMPLETE, State.RUNNING, State.CANCELING};
    for (int n = 0; n < states.length; n++) {
      store.insert(task(id(n + 1), states[n]));
    }

    assertThat(all(new TaskQuery(null, State.RUNNING, Map.of(), null, 10))).containsExactly(id(4), id(2));
    assertThat(all(new TaskQuery(null, State.COMPLETE, Map.of(), null, 10))).containsExactly(id(3));
    assertThat(all(new TaskQuery(null, State.SYSTEM_ERROR, Map.of(), null, 10))).isEmpty();
  }

  /** The truth table of the TES 1.1 ListTasks tag filter: filter, task tags, match. */
  static Stream<Arguments> tagTruthTable() {
    return Stream.of(
        Arguments.of(Map.of("foo", "bar"), Map.of("foo", "bar"), true),
        Arguments.of(Map.of("foo", "bar"), Map.of("foo", "bat"), false),
        Arguments.of(Map.of("foo", ""), Map.of("foo", ""), true),
        Arguments.of(ordered("foo", "bar", "baz", "bat"), ordered("foo", "bar", "baz", "bat"), true),
        Arguments.of(Map.of("foo", "bar"), ordered("foo", "bar", "baz", "bat"), true),
        Arguments.of(ordered("foo", "bar", "baz", "bat"), Map.of("foo", "bar"), false),
        Arguments.of(Map.of("foo", ""), Map.of("foo", "bar"), true),
        Arguments.of(Map.of("foo", ""), Map.of(), false),
        // Beyond the spec's table: keys and values match exactly, case included.
        Arguments.of(Map.of("foo", "bar"), Map.of("Foo", "bar"), false),
        Arguments.of(Map.of("foo", "bar"), Map.of("foo", "Bar"), false),
        Arguments.of(Map.of("foo", "bar"), Map.of("foo", ""), false),
        Arguments.of(Map.of("f%", ""), Map.of("foo", "bar"), false));
  }

  private static Map<String, String> ordered(String... kv) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      map.put(kv[i], kv[i + 1]);
    }
    return map;
  }

  /** If this fails, check the row of the spec's tag table that the test name shows. */
  @ParameterizedTest(name = "filter {0} on task tags {1}: {2}")
  @MethodSource("tagTruthTable")
  void tagFilterFollowsTheSpecTable(Map<String, String> filter, Map<String, String> taskTags, boolean match) {
    store.insert(task(id(1), "tagged", taskTags));
    store.insert(task(id(2), "other", Map.of("unrelated", "x")));

    List<String> found = all(new TaskQuery(null, null, filter, null, 10));

    assertThat(found).isEqualTo(match ? List.of(id(1)) : List.of());
    assertThat(new TaskQuery(null, null, filter, null, 10).tagsMatch(taskTags)).isEqualTo(match);
  }

  /** Every entry of the filter must hold on the same task, not one on each of two tasks. */
  @Test
  void tagFilterEntriesMustAllHoldOnOneTask() {
    store.insert(task(id(1), "one", Map.of("foo", "bar")));
    store.insert(task(id(2), "two", Map.of("baz", "bat")));
    store.insert(task(id(3), "three", Map.of("foo", "bar", "baz", "bat", "x", "")));

    assertThat(all(new TaskQuery(null, null, ordered("foo", "bar", "baz", "bat"), null, 10)))
        .containsExactly(id(3));
    assertThat(all(new TaskQuery(null, null, ordered("foo", "", "baz", ""), null, 10))).containsExactly(id(3));
    assertThat(all(new TaskQuery(null, null, Map.of("foo", ""), null, 10))).containsExactly(id(3), id(1));
    assertThat(all(new TaskQuery(null, null, Map.of("x", ""), null, 10))).containsExactly(id(3));
  }

  @Test
  void filtersCombineWithPaging() {
    for (int n = 1; n <= 12; n++) {
      Map<String, String> tags = n % 2 == 0 ? Map.of("even", "yes") : Map.of("even", "no");
      StoredTask t = task(id(n), (n % 3 == 0 ? "fizz-" : "plain-") + n, tags);
      store.insert(new StoredTask(t.task().toBuilder().state(n > 6 ? State.RUNNING : State.QUEUED).build(), null));
    }
    // Even, named fizz-: 6 and 12; 12 is RUNNING.
    TaskQuery query = new TaskQuery("fizz-", null, Map.of("even", "yes"), null, 1);
    TaskPage first = store.list(query);
    TaskPage second =
        store.list(new TaskQuery("fizz-", null, Map.of("even", "yes"), first.tasks().get(0).id(), 1));

    assertThat(ids(first)).containsExactly(id(12));
    assertThat(first.more()).isTrue();
    assertThat(ids(second)).containsExactly(id(6));
    assertThat(second.more()).isFalse();
    assertThat(all(new TaskQuery("fizz-", State.QUEUED, Map.of("even", ""), null, 10))).containsExactly(id(6), id(3));
  }

  // ------------------------------------------------------------------------------------------
  // unfinished, count

  /**
   * If this fails, check that unfinished() returns the tasks in QUEUED, INITIALIZING, RUNNING,
   * PAUSED and CANCELING, oldest first, and none in a terminal state.
   */
  @Test
  void unfinishedIsEveryNonTerminalTaskOldestFirst() {
    Set<State> live =
        EnumSet.of(State.QUEUED, State.INITIALIZING, State.RUNNING, State.PAUSED, State.CANCELING);
    int n = 0;
    List<String> expected = new ArrayList<>();
    // Two rounds, so that ids of one state are not contiguous.
    for (int round = 0; round < 2; round++) {
      for (State state : State.values()) {
        if (state == State.UNKNOWN) {
          continue; // the contract names the five live states; UNKNOWN is left to each store
        }
        store.insert(task(id(++n), state));
        if (live.contains(state)) {
          expected.add(id(n));
        }
      }
    }
    // A task that ends is no longer unfinished.
    store.update(task(id(2), State.COMPLETE));
    expected.remove(id(2));

    List<String> unfinished = store.unfinished().stream().map(StoredTask::id).collect(Collectors.toList());

    assertThat(unfinished).containsExactlyElementsOf(expected);
  }

  @Test
  void countCountsEveryTask() {
    assertThat(store.count()).isZero();
    for (int n = 1; n <= 5; n++) {
      store.insert(task(id(n), State.values()[n]));
    }
    store.update(task(id(1), State.COMPLETE));

    assertThat(store.count()).isEqualTo(5);
  }

  // ------------------------------------------------------------------------------------------
  // Threads, durability

  /** Stores are thread-safe: concurrent inserts and reads lose nothing. */
  @Test
  void concurrentInsertsAndReadsLoseNothing() throws Exception {
    int threads = 4;
    int each = 25;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<Void>> jobs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * each;
        jobs.add(
            () -> {
              for (int i = 1; i <= each; i++) {
                StoredTask inserted = task(id(base + i), "thread", Map.of("t", Integer.toString(base)));
                store.insert(inserted);
                assertThat(store.get(inserted.id())).contains(inserted);
                store.list(new TaskQuery("thread", null, Map.of(), null, 5));
              }
              return null;
            });
      }
      for (Future<Void> done : pool.invokeAll(jobs)) {
        done.get();
      }
    } finally {
      pool.shutdown();
    }

    assertThat(store.count()).isEqualTo(threads * each);
    assertThat(store.list(new TaskQuery(null, null, Map.of(), null, 1000)).tasks()).hasSize(threads * each);
    assertThat(all(new TaskQuery(null, null, Map.of("t", "25"), null, 1000))).hasSize(each);
  }

  /**
   * Many callers at once, each taking its tasks through their states one write at a time, as the
   * engine does: every write ends durable, and none of a task's later states is overwritten by an
   * earlier one (a durable store groups concurrent writes into shared transactions).
   */
  @Test
  void concurrentCreatesAndUpdatesAllEndDurableInTheirOrder() throws Exception {
    int threads = 8;
    int each = 15;
    List<State> path = List.of(State.INITIALIZING, State.RUNNING, State.RUNNING, State.COMPLETE);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    Map<String, Task> last = new java.util.concurrent.ConcurrentHashMap<>();
    try {
      List<Callable<Void>> jobs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * each;
        jobs.add(() -> {
          for (int i = 1; i <= each; i++) {
            StoredTask created = task(id(base + i), "worker " + base, Map.of("worker", Integer.toString(base)));
            store.insert(created);
            Task task = created.task();
            for (int step = 0; step < path.size(); step++) {
              TaskLog log = TaskLog.builder().addSystemLog("step " + step).build();
              task = task.toBuilder().state(path.get(step)).logs(List.of(log)).build();
              store.update(new StoredTask(task, "handle-" + task.id()));
              assertThat(store.get(task.id()).orElseThrow().task()).as("read after its own write").isEqualTo(task);
            }
            last.put(task.id(), task);
          }
          return null;
        });
      }
      for (Future<Void> done : pool.invokeAll(jobs)) {
        done.get();
      }
    } finally {
      pool.shutdown();
    }
    assertEveryTaskIsItsLastWrite(last, threads * each);

    store = reopen(store); // aborts here for a store that keeps nothing across a close

    assertEveryTaskIsItsLastWrite(last, threads * each);
  }

  private void assertEveryTaskIsItsLastWrite(Map<String, Task> last, int total) {
    assertThat(store.count()).isEqualTo(total);
    assertThat(store.unfinished()).isEmpty();
    for (Map.Entry<String, Task> expected : last.entrySet()) {
      StoredTask stored = store.get(expected.getKey()).orElseThrow();
      assertThat(stored.task()).isEqualTo(expected.getValue());
      assertThat(stored.handle()).isEqualTo("handle-" + expected.getKey());
    }
    assertThat(all(new TaskQuery(null, State.COMPLETE, Map.of("worker", "0"), null, 1000))).hasSize(total / 8);
  }

  /**
   * Callers at once, some of whose writes are wrong (a duplicate id, an update of a missing task):
   * each caller gets its own outcome, whether or not its write shared a transaction with others.
   */
  @Test
  void concurrentCallersEachGetTheirOwnOutcome() throws Exception {
    store.insert(task(id(1), "stored before", Map.of()));
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<List<String>>> jobs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int n = 100 + t * 10;
        jobs.add(() -> {
          List<String> outcomes = new ArrayList<>();
          for (int i = 0; i < 5; i++) {
            store.insert(task(id(n + i), "good", Map.of("good", "yes")));
            String missing = id(n + i + 5);
            outcomes.add(outcome(() -> store.insert(task(id(1), "a duplicate", Map.of("good", "no")))));
            outcomes.add(outcome(() -> store.update(task(missing, State.RUNNING))));
          }
          return outcomes;
        });
      }
      for (Future<List<String>> done : pool.invokeAll(jobs)) {
        assertThat(done.get()).hasSize(10).allMatch(o -> o.equals("IllegalStateException"));
      }
    } finally {
      pool.shutdown();
    }
    assertThat(store.count()).isEqualTo(1 + threads * 5);
    assertThat(store.get(id(1)).orElseThrow().task().name()).isEqualTo("stored before");
    assertThat(all(new TaskQuery(null, null, Map.of("good", "yes"), null, 1000))).hasSize(threads * 5);
    assertThat(all(new TaskQuery(null, null, Map.of("good", "no"), null, 1000))).isEmpty();
  }

  private static String outcome(Runnable call) {
    try {
      call.run();
      return "returned";
    } catch (RuntimeException e) {
      return e.getClass().getSimpleName();
    }
  }

  /** If this fails, check that every call commits (and syncs) before it returns. */
  @Test
  void everythingSurvivesCloseAndReopen() throws Exception {
    Task full = fullTask(id(1));
    store.insert(new StoredTask(full, "h1"));
    store.insert(task(id(2), "two", Map.of("foo", "bar")));
    store.insert(task(id(3), State.RUNNING));
    store.update(new StoredTask(full.toBuilder().state(State.COMPLETE).build(), "h1-done"));

    store = reopen(store);

    assertThat(store.count()).isEqualTo(3);
    assertThat(store.get(id(1)).orElseThrow())
        .isEqualTo(new StoredTask(full.toBuilder().state(State.COMPLETE).build(), "h1-done"));
    assertThat(all(new TaskQuery("tw", null, Map.of("foo", "bar"), null, 10))).containsExactly(id(2));
    assertThat(store.unfinished().stream().map(StoredTask::id)).containsExactly(id(2), id(3));
    assertThatThrownBy(() -> store.insert(task(id(2), "again", Map.of())))
        .isInstanceOf(IllegalStateException.class);
    store.insert(task(id(4), "four", Map.of()));
    assertThat(ids(store.list(everything()))).containsExactly(id(4), id(3), id(2), id(1));
  }
}
