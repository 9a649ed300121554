package io.tes4j.backend.pulsar.internal;

import io.tes4j.backend.pulsar.PulsarPlacement;
import io.tes4j.model.Task;
import java.util.List;
import java.util.function.ToIntFunction;

/** Placement rules of the tests' own, found through ServiceLoader as a user's would be. */
final class TestPlacements {
  private TestPlacements() {}

  /** {@code by-cores}: 16 cores or more to {@code hpc}, the rest to the least busy other server. */
  public static final class ByCores implements PulsarPlacement {
    @Override
    public String name() {
      return "by-cores";
    }

    @Override
    public String choose(Task task, List<String> servers, ToIntFunction<String> unfinished) {
      Double cores = task.resources() == null ? null : task.resources().cpuCores();
      if (cores != null && cores >= 16) {
        return "hpc";
      }
      return servers.stream().filter(s -> !s.equals("hpc"))
          .min(java.util.Comparator.comparingInt(unfinished)).orElseThrow();
    }
  }

  /** {@code nowhere}: a broken rule, which names a server the backend does not have. */
  public static final class Nowhere implements PulsarPlacement {
    @Override
    public String name() {
      return "nowhere";
    }

    @Override
    public String choose(Task task, List<String> servers, ToIntFunction<String> unfinished) {
      return "mars";
    }
  }
}
