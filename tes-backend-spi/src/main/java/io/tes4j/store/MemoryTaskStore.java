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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link TaskStore} in memory: the engine's default. Tasks are lost when the process ends.
 *
 * <p>Built for a million tasks and more: {@link #get} is a hash lookup; {@link #list} walks the ids
 * in descending order from the page's position and stops once the page is full, so an unfiltered
 * page costs the same however many tasks are stored, and a filter costs what it has to skip. A
 * query for a state that is not terminal (QUEUED, RUNNING...) walks only the unfinished tasks, which
 * are indexed apart. Each task costs its {@link StoredTask} plus about 100 bytes of index.
 *
 * <p>By default it keeps every task, so its heap grows with each one (about 1.3 KB for a small
 * task): a process that runs for long, or takes tasks from strangers, should give {@link
 * #MemoryTaskStore(long) a number of ended tasks to keep}; {@code tes4j serve} keeps 100,000. Once
 * more tasks have ended, those that ended first are dropped: a read of one finds nothing, as for an
 * id never made. Unfinished tasks are always kept.
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

  /** The most ended tasks kept; {@link Long#MAX_VALUE}: all. */
  private final long keepEnded;
  /** The ended tasks in the order they ended (a task that ended twice is in it twice). */
  private final ConcurrentLinkedQueue<Slot> endingOrder = new ConcurrentLinkedQueue<>();
  private final AtomicLong ended = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final ReentrantLock dropping = new ReentrantLock();

  /** An empty store that keeps every task. */
  public MemoryTaskStore() {
    this(Long.MAX_VALUE);
  }

  /**
   * An empty store that keeps at most {@code keepEnded} ended tasks (COMPLETE, EXECUTOR_ERROR,
   * SYSTEM_ERROR, CANCELED, PREEMPTED): when one more ends, the task that ended first is dropped.
   *
   * @param keepEnded at least 1; {@link Long#MAX_VALUE} keeps every task
   * @throws IllegalArgumentException when {@code keepEnded} is less than 1
   */
  public MemoryTaskStore(long keepEnded) {
    if (keepEnded < 1) {
      throw new IllegalArgumentException("keepEnded must be at least 1, was " + keepEnded);
    }
    this.keepEnded = keepEnded;
  }

  /** One task's place: both indexes share it, so an update is one write. */
  private static final class Slot {
    volatile StoredTask task;
    /** Removed from the indexes: a racing update must not bring it back. Guarded by the slot. */
    boolean dropped;

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
    boolean terminal = task.task().state().isTerminal();
    synchronized (slot) {
      if (!terminal) {
        unfinished.put(task.id(), slot);
      }
      ordered.put(task.id(), slot);
    }
    if (terminal) {
      ended(slot);
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
    boolean terminal = task.task().state().isTerminal();
    boolean wasTerminal;
    synchronized (slot) {
      if (slot.dropped) {
        throw new IllegalStateException("no task with id " + task.id() + " is stored");
      }
      wasTerminal = slot.task.task().state().isTerminal();
      slot.task = task;
      if (terminal && !wasTerminal) {
        unfinished.remove(task.id(), slot);
      } else if (!terminal && wasTerminal) {
        unfinished.put(task.id(), slot);
        ended.decrementAndGet(); // its place in the ending order is skipped when reached
      }
    }
    if (terminal && !wasTerminal) {
      ended(slot);
    }
  }

  /** Notes that the task of {@code slot} ended, and drops those that ended first beyond the limit. */
  private void ended(Slot slot) {
    if (keepEnded == Long.MAX_VALUE) {
      return; // nothing to drop, nothing to count
    }
    endingOrder.add(slot);
    ended.incrementAndGet();
    // A thread that finds another dropping leaves it to that one, which looks again after it lets
    // go of the lock: an end counted meanwhile is never left over the limit.
    while (ended.get() > keepEnded && dropping.tryLock()) {
      try {
        dropBeyondLimit();
      } finally {
        dropping.unlock();
      }
    }
  }

  /** Drops the tasks that ended first until no more than {@link #keepEnded} are kept. */
  private void dropBeyondLimit() {
    while (ended.get() > keepEnded) {
      Slot first = endingOrder.poll();
      if (first == null) {
        return;
      }
      synchronized (first) {
        if (first.dropped || !first.task.task().state().isTerminal()) {
          continue; // running again, or an earlier end of a task that ended twice
        }
        first.dropped = true;
        String id = first.task.id();
        ordered.remove(id, first);
        byId.remove(id, first);
      }
      ended.decrementAndGet();
      dropped.incrementAndGet();
    }
  }

  /**
   * How many ended tasks this store dropped to keep within its limit.
   *
   * @return 0 for a store that keeps every task
   */
  public long droppedCount() {
    return dropped.get();
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
    return "MemoryTaskStore[" + count() + " tasks"
        + (keepEnded == Long.MAX_VALUE ? "" : ", keeping " + keepEnded + " ended, " + dropped.get() + " dropped") + "]";
  }
}
