package io.tes4j.store;

import io.tes4j.model.State;
import io.tes4j.model.Task;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A {@link TaskStore} in memory: the engine's default. Tasks are lost when the process ends.
 *
 * <p>Built for a million tasks and more: {@link #get} is a hash lookup; {@link #list} walks the ids
 * in descending order from the page's position and stops once the page is full, so an unfiltered
 * page costs the same however many tasks are stored, and a filter costs what it has to skip. A
 * query for a state that is not terminal (QUEUED, RUNNING...) walks only the unfinished tasks, which
 * are indexed apart. Each task costs its {@link StoredTask} plus about 100 bytes of index.
 *
 * <p>Thread-safe; {@link #update} is atomic (readers see the old task or the new one, never a mix).
 * {@link #close()} keeps the tasks: a new engine built on the same instance finds them, which is how
 * tests play a restart.
 *
 * <pre>{@code
 * MemoryTaskStore store = new MemoryTaskStore();
 * try (TesEngine engine = TesEngine.builder().backend("mock:").store(store).build()) {
 *   engine.createTask(task);
 * }
 * System.out.println(store.count());                       // 1
 * }</pre>
 */
public final class MemoryTaskStore implements TaskStore {
  private final ConcurrentHashMap<String, Slot> byId = new ConcurrentHashMap<>();
  // Newest first: a page walks forward, one step per task. A skip list has no links backwards, so
  // walking an ascending one backwards searches from the top at every step.
  private final ConcurrentSkipListMap<String, Slot> ordered = new ConcurrentSkipListMap<>(Comparator.reverseOrder());
  private final ConcurrentSkipListMap<String, Slot> unfinished = new ConcurrentSkipListMap<>(Comparator.reverseOrder());

  /** An empty store. */
  public MemoryTaskStore() {}

  /** One task's place: both indexes share it, so an update is one write. */
  private static final class Slot {
    volatile StoredTask task;

    Slot(StoredTask task) {
      this.task = task;
    }
  }

  @Override
  public void insert(StoredTask task) {
    Objects.requireNonNull(task, "task");
    Slot slot = new Slot(task);
    if (byId.putIfAbsent(task.id(), slot) != null) {
      throw new IllegalStateException("a task with id " + task.id() + " is already stored");
    }
    synchronized (slot) {
      if (!task.task().state().isTerminal()) {
        unfinished.put(task.id(), slot);
      }
      ordered.put(task.id(), slot);
    }
  }

  @Override
  public Optional<StoredTask> get(String id) {
    Slot slot = byId.get(Objects.requireNonNull(id, "id"));
    return slot == null ? Optional.empty() : Optional.of(slot.task);
  }

  @Override
  public void update(StoredTask task) {
    Objects.requireNonNull(task, "task");
    Slot slot = byId.get(task.id());
    if (slot == null) {
      throw new IllegalStateException("no task with id " + task.id() + " is stored");
    }
    synchronized (slot) {
      boolean wasTerminal = slot.task.task().state().isTerminal();
      boolean terminal = task.task().state().isTerminal();
      slot.task = task;
      if (terminal && !wasTerminal) {
        unfinished.remove(task.id(), slot);
      } else if (!terminal && wasTerminal) {
        unfinished.put(task.id(), slot);
      }
    }
  }

  @Override
  public TaskPage list(TaskQuery query) {
    Objects.requireNonNull(query, "query");
    State state = query.state();
    ConcurrentNavigableMap<String, Slot> source =
        state != null && !state.isTerminal() ? unfinished : ordered;
    NavigableMap<String, Slot> range = query.beforeId() == null ? source : source.tailMap(query.beforeId(), false);
    String prefix = query.namePrefix() == null || query.namePrefix().isEmpty() ? null : query.namePrefix();
    boolean tags = !query.tags().isEmpty();
    List<StoredTask> page = new ArrayList<>(Math.min(query.limit(), 256));
    for (Slot slot : range.values()) {
      StoredTask stored = slot.task;
      Task task = stored.task();
      if ((state != null && task.state() != state)
          || (prefix != null && (task.name() == null || !task.name().startsWith(prefix)))
          || (tags && !query.tagsMatch(task.tags()))) {
        continue;
      }
      if (page.size() == query.limit()) {
        return new TaskPage(page, true);
      }
      page.add(stored);
    }
    return new TaskPage(page, false);
  }

  @Override
  public List<StoredTask> unfinished() {
    List<StoredTask> tasks = new ArrayList<>();
    for (Map.Entry<String, Slot> entry : unfinished.descendingMap().entrySet()) { // oldest first
      StoredTask stored = entry.getValue().task;
      if (!stored.task().state().isTerminal()) {
        tasks.add(stored);
      }
    }
    return tasks;
  }

  @Override
  public long count() {
    return byId.mappingCount();
  }

  /** Does nothing: the tasks stay, so that another engine can be built on this store. */
  @Override
  public void close() {}

  /** True: every call is a map operation or a walk of an in-memory index. */
  @Override
  public boolean isInMemory() {
    return true;
  }

  @Override
  public String toString() {
    return "MemoryTaskStore[" + count() + " tasks]";
  }
}
