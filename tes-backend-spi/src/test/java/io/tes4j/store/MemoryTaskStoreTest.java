package io.tes4j.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.model.Executor;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The in-memory store's contract: insert, get, update, list with filters, unfinished. */
class MemoryTaskStoreTest {
  private final MemoryTaskStore store = new MemoryTaskStore();

  private static StoredTask task(String id, State state, String name, Map<String, String> tags) {
    return new StoredTask(
        Task.builder().id(id).state(state).name(name).tags(tags).addExecutor(Executor.of("a", "b")).build(), null);
  }

  private List<String> ids(TaskQuery query) {
    return store.list(query).tasks().stream().map(StoredTask::id).collect(Collectors.toList());
  }

  @Test
  void insertGetUpdate() {
    store.insert(task("a", State.QUEUED, "x", Map.of()));

    assertThat(store.get("a")).get().extracting(s -> s.task().state()).isEqualTo(State.QUEUED);
    assertThat(store.get("b")).isEmpty();
    store.update(new StoredTask(store.get("a").orElseThrow().task().toBuilder().state(State.RUNNING).build(), "h"));
    assertThat(store.get("a").orElseThrow().handle()).isEqualTo("h");
    assertThat(store.count()).isEqualTo(1);

    assertThatThrownBy(() -> store.insert(task("a", State.QUEUED, "x", Map.of())))
        .isInstanceOf(IllegalStateException.class).hasMessage("a task with id a is already stored");
    assertThatThrownBy(() -> store.update(task("b", State.QUEUED, "x", Map.of())))
        .isInstanceOf(IllegalStateException.class).hasMessage("no task with id b is stored");
  }

  @Test
  void listIsNewestFirstWithPagingByTheLastId() {
    for (String id : List.of("01", "02", "03", "04", "05")) {
      store.insert(task(id, State.COMPLETE, "n" + id, Map.of()));
    }

    TaskPage first = store.list(new TaskQuery(null, null, Map.of(), null, 2));
    assertThat(first.tasks()).extracting(StoredTask::id).containsExactly("05", "04");
    assertThat(first.more()).isTrue();
    TaskPage last = store.list(new TaskQuery(null, null, Map.of(), "02", 2));
    assertThat(last.tasks()).extracting(StoredTask::id).containsExactly("01");
    assertThat(last.more()).isFalse();
    assertThat(store.list(new TaskQuery(null, null, Map.of(), "03", 2)).more()).isFalse();
  }

  @Test
  void filtersByNameStateAndTags() {
    store.insert(task("01", State.QUEUED, "alpha", Map.of("p", "x")));
    store.insert(task("02", State.RUNNING, "alpha-2", Map.of("p", "y")));
    store.insert(task("03", State.COMPLETE, "beta", Map.of("p", "")));
    store.insert(task("04", State.COMPLETE, null, Map.of()));

    assertThat(ids(new TaskQuery("alpha", null, Map.of(), null, 10))).containsExactly("02", "01");
    assertThat(ids(new TaskQuery(null, State.COMPLETE, Map.of(), null, 10))).containsExactly("04", "03");
    assertThat(ids(new TaskQuery(null, State.RUNNING, Map.of(), null, 10))).containsExactly("02");
    assertThat(ids(new TaskQuery(null, null, Map.of("p", ""), null, 10))).containsExactly("03", "02", "01");
    assertThat(ids(new TaskQuery(null, null, Map.of("p", "y"), null, 10))).containsExactly("02");
    assertThat(ids(new TaskQuery("alpha", State.QUEUED, Map.of("p", "x"), null, 10))).containsExactly("01");
  }

  @Test
  void unfinishedFollowsUpdatesOldestFirst() {
    store.insert(task("01", State.RUNNING, "a", Map.of()));
    store.insert(task("02", State.QUEUED, "b", Map.of()));
    store.insert(task("03", State.COMPLETE, "c", Map.of()));

    assertThat(store.unfinished()).extracting(StoredTask::id).containsExactly("01", "02");
    store.update(task("01", State.CANCELED, "a", Map.of()));
    assertThat(store.unfinished()).extracting(StoredTask::id).containsExactly("02");
    assertThat(ids(new TaskQuery(null, State.RUNNING, Map.of(), null, 10))).isEmpty();
    store.update(task("03", State.CANCELING, "c", Map.of())); // not a transition the engine makes, but stored
    assertThat(store.unfinished()).extracting(StoredTask::id).containsExactly("02", "03");
  }

  @Test
  void closeKeepsTheTasks() {
    store.insert(task("01", State.QUEUED, "a", Map.of()));

    store.close();

    assertThat(store.get("01")).isPresent();
    assertThat(store).hasToString("MemoryTaskStore[1 tasks]");
  }
}
