package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.engine.internal.TaskIds;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Ids: unique, URL-safe, 26 characters, sorted in creation order whatever the clock does. */
class TaskIdsTest {
  private final TaskIds ids = new TaskIds();

  @Test
  void manyIdsInOneMillisecondAreUniqueAndSorted() {
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      made.add(ids.next(1_700_000_000_000L));
    }

    assertThat(made).isSorted().doesNotHaveDuplicates();
    assertThat(made).allMatch(id -> id.matches("[0-9A-HJKMNP-TV-Z]{26}"));
    assertThat(made).allMatch(TaskIds::isId);
  }

  @Test
  void idsFollowTimeAndStaySortedWhenTheClockStepsBack() {
    String early = ids.next(1_000);
    String later = ids.next(2_000);
    String back = ids.next(1_500);

    assertThat(List.of(early, later, back)).isSorted();
    assertThat(later.substring(0, 10)).isGreaterThan(early.substring(0, 10));
    assertThat(back.substring(0, 10)).isEqualTo(later.substring(0, 10));
  }

  @Test
  void observedIdsAreFollowedNotRepeated() {
    TaskIds other = new TaskIds();
    String newest = other.next(5_000);

    ids.observe(newest);
    String next = ids.next(1_000);

    assertThat(next).isGreaterThan(newest);
    ids.observe("not an id");
    ids.observe(ids.next(0).toLowerCase());
  }

  @Test
  void idsFromManyThreadsAreUnique() throws Exception {
    Set<String> all = java.util.concurrent.ConcurrentHashMap.newKeySet();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 20_000; i++) {
          all.add(ids.next(System.currentTimeMillis()));
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(all).hasSize(80_000);
    assertThat(new HashSet<>(all)).hasSize(80_000);
  }

  @Test
  void isIdRejectsOtherText() {
    assertThat(TaskIds.isId(null)).isFalse();
    assertThat(TaskIds.isId("")).isFalse();
    assertThat(TaskIds.isId("01ARZ3NDEKTSV4RRFFQ69G5FAV")).isTrue();
    assertThat(TaskIds.isId("01ARZ3NDEKTSV4RRFFQ69G5FAI")).isFalse(); // I is not Crockford
    assertThat(TaskIds.isId("81ARZ3NDEKTSV4RRFFQ69G5FAV")).isFalse(); // beyond 48 bits of time
  }
}
