package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.model.State;
import io.tes4j.model.View;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Listeners see every change of state, in order, after it was stored; one that throws is ignored. */
class ListenerTest {
  private final FakeBackend backend = new FakeBackend();
  private final List<String> seen = new CopyOnWriteArrayList<>();

  @Test
  void everyChangeOfStateInOrder() {
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).maxRunning(1)
        .listener((id, from, to) -> seen.add(id + " " + from + "->" + to))
        .build()) {
      String a = engine.createTask(Tasks.named("a"));
      String b = engine.createTask(Tasks.named("b"));
      backend.run(a);
      engine.cancelTask(b);
      engine.cancelTask(a);
      backend.events(a).finished(State.COMPLETE);

      assertThat(seen).containsExactly(
          a + " UNKNOWN->QUEUED",
          a + " QUEUED->INITIALIZING",
          b + " UNKNOWN->QUEUED",
          a + " INITIALIZING->RUNNING",
          b + " QUEUED->CANCELED",
          a + " RUNNING->CANCELING",
          a + " CANCELING->CANCELED");
    }
  }

  @Test
  void theNewStateIsStoredBeforeTheListenerHearsOfIt() {
    List<State> stored = new CopyOnWriteArrayList<>();
    TesEngine[] engine = new TesEngine[1];
    engine[0] = TesEngine.builder().engineExecutor(Runnable::run).backend(backend)
        .listener((id, from, to) -> stored.add(engine[0].getTask(id, View.MINIMAL).state()))
        .build();
    try (TesEngine e = engine[0]) {
      String id = e.createTask(Tasks.named("a"));
      backend.complete(id);

      assertThat(stored).containsExactly(State.QUEUED, State.INITIALIZING, State.RUNNING, State.COMPLETE);
    }
  }

  @Test
  void aThrowingListenerIsLoggedAndTheEngineAndOtherListenersGoOn() {
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend)
        .listener((id, from, to) -> {
          throw new IllegalStateException("listener bug");
        })
        .listener((id, from, to) -> {
          throw new AssertionError("listener assertion");
        })
        .listener((id, from, to) -> seen.add(from + "->" + to))
        .build()) {
      String id = engine.createTask(Tasks.named("a"));
      backend.complete(id);

      assertThat(engine.getTask(id, View.MINIMAL).state()).isEqualTo(State.COMPLETE);
      assertThat(seen).containsExactly("UNKNOWN->QUEUED", "QUEUED->INITIALIZING", "INITIALIZING->RUNNING", "RUNNING->COMPLETE");
    }
  }
}
