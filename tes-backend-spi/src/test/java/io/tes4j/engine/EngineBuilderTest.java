package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tes4j.api.TesClient;
import io.tes4j.api.TesClientException;
import io.tes4j.api.spi.TesClientProvider;
import io.tes4j.engine.internal.EngineClientProvider;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.State;
import io.tes4j.model.View;
import io.tes4j.spi.Backend;
import io.tes4j.spi.BackendConfig;
import io.tes4j.spi.BackendProvider;
import io.tes4j.store.MemoryTaskStore;
import io.tes4j.store.StoredTask;
import io.tes4j.store.TaskStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Choosing the backend (by instance, by URI scheme), connect, service-info and close. */
class EngineBuilderTest {

  /** A provider for a scheme of the test's choosing. */
  private static BackendProvider provider(String name, String scheme, Backend backend) {
    return new BackendProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Set<String> schemes() {
        return Set.of(scheme);
      }

      @Override
      public Backend open(BackendConfig config) {
        return backend;
      }
    };
  }

  @Test
  void anUnknownSchemeSaysWhichSchemesAndProvidersThereAreAndHowToAddOne() {
    TesClientException e = catchThrowableOfType(TesClientException.class,
        () -> TesEngine.builder().engineExecutor(Runnable::run).backend("k8s://ns?token=secret").backendProvider(provider("mine", "mine", new FakeBackend())).build());

    assertThat(e).hasMessageStartingWith(
        "no backend provider handles the scheme 'k8s' of k8s://ns?.... Schemes available: fake, mine. Providers found: mine (")
        .hasMessageContaining("fake (io.tes4j.engine.FakeBackendProvider: fake)")
        .hasMessageEndingWith("To add one, put the module of the backend on the class path (backend-local for local:,"
            + " tes-testing for mock:) or register a provider with TesEngine.builder().backendProvider(...).")
        .hasMessageNotContaining("secret");
  }

  @Test
  void twoProvidersForOneSchemeAreAnErrorNamingBoth() {
    assertThatThrownBy(() -> TesEngine.builder().engineExecutor(Runnable::run).backend("same:")
            .backendProvider(provider("first", "same", new FakeBackend()))
            .backendProvider(provider("second", "same", new FakeBackend()))
            .build())
        .isInstanceOf(TesClientException.class)
        .hasMessageContaining("more than one backend provider registered with backendProvider(...) handles the scheme 'same': first (")
        .hasMessageContaining(" and second (");
  }

  @Test
  void aRegisteredProviderWinsOverTheClassPath() {
    FakeBackend mine = new FakeBackend();
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend("FAKE:").backendProvider(provider("mine", "fake", mine)).build()) {
      engine.createTask(Tasks.named("a"));
      assertThat(mine.startedIds).hasSize(1);
      assertThat(engine.serviceInfo().name()).isEqualTo("tes4j engine (mine)");
    }
  }

  @Test
  void parametersAreMergedOverTheUriQuery() {
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend("fake:?color=red&size=1").parameter("size", "2").build()) {
      assertThat(FakeBackendProvider.lastConfig.parameters()).containsEntry("color", "red").containsEntry("size", "2");
      assertThat(engine.toString()).isEqualTo("TesEngine[backend=fake, store=MemoryTaskStore[0 tasks], unfinished=0]");
    }
    assertThatThrownBy(() -> TesEngine.open("fake:?flavour=x"))
        .isInstanceOf(TesClientException.class)
        .hasMessage("backend URI fake:?...: unknown parameter flavour; fake: knows color, size;"
            + " the engine takes maxQueued, maxRunning, store, store.password, store.user, tagLimit.KEY");
  }

  @Test
  void theBackendIsSetOnce() {
    assertThatThrownBy(() -> TesEngine.builder().engineExecutor(Runnable::run).build())
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("no backend");
    assertThatThrownBy(() -> TesEngine.builder().engineExecutor(Runnable::run).backend(new FakeBackend()).backend("fake:").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not both");
    assertThatThrownBy(() -> TesEngine.builder().engineExecutor(Runnable::run).backend(new FakeBackend()).parameter("a", "b").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("parameters: [a]");
  }

  @Test
  void connectGivesAnEngineForTheSchemesOfTheBackendsOnTheClassPath() {
    TesClientProvider provider = ServiceLoader.load(TesClientProvider.class).stream()
        .map(ServiceLoader.Provider::get).filter(p -> p instanceof EngineClientProvider).findFirst().orElseThrow();
    assertThat(provider.schemes()).containsExactly("fake");
    assertThat(provider.name()).isEqualTo("tes4j engine");

    try (TesClient client = TesClient.connect("fake:")) {
      assertThat(client).isInstanceOf(TesEngine.class);
      String id = client.createTask(Tasks.named("a"));
      FakeBackendProvider.lastBackend.awaitStarted(1); // on the engine's starter threads
      assertThat(client.getTask(id, View.MINIMAL).state()).isEqualTo(State.INITIALIZING);
    }
  }

  @Test
  void serviceInfoDescribesTheEngineAndTheBackend() {
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(FakeBackend.withParameters("VmSize")).build()) {
      ServiceInfo info = engine.serviceInfo();

      assertThat(info.id()).isEqualTo("io.tes4j.engine");
      assertThat(info.name()).isEqualTo("tes4j engine (FakeBackend)");
      assertThat(info.type()).isEqualTo(ServiceInfo.ServiceType.TES_1_1);
      assertThat(info.type().group()).isEqualTo("org.ga4gh");
      assertThat(info.type().artifact()).isEqualTo("tes");
      assertThat(info.type().version()).isEqualTo("1.1.0");
      assertThat(info.organization().name()).isEqualTo("tes4j");
      assertThat(info.version()).matches("\\d+\\.\\d+\\.\\d+.*");
      assertThat(info.storage()).containsExactly("file:///data");
      assertThat(info.tesResourcesBackendParameters()).containsExactly("VmSize");
      assertThat(engine.async().serviceInfo().join()).isEqualTo(info);
    }
  }

  /** A store that records that it was closed. */
  private static class ClosingStore extends ForwardingTaskStore {
    boolean closed;

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void closeClosesTheBackendButNotAGivenStoreAndCallsAfterItFail() {
    FakeBackend backend = new FakeBackend();
    ClosingStore store = new ClosingStore();
    TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).store(store).build();
    String id = engine.createTask(Tasks.named("a"));

    engine.close();
    engine.close();

    assertThat(backend.closed).isTrue();
    assertThat(store.closed).as("a store given to store(TaskStore) is its owner's to close").isFalse();
    for (Runnable call : List.<Runnable>of(
        () -> engine.createTask(Tasks.named("b")),
        () -> engine.getTask(id, View.FULL),
        () -> engine.listTasks(io.tes4j.api.ListTasksRequest.all()),
        () -> engine.cancelTask(id),
        () -> engine.await(id, Duration.ofSeconds(1)),
        engine::serviceInfo)) {
      assertThatThrownBy(call::run).isInstanceOf(TesClientException.class).hasMessage("this TesEngine is closed");
    }
    assertThat(engine.async().getTask(id, View.FULL)).isCompletedExceptionally();
    // Reports after close are ignored, not stored.
    backend.events(id).running();
    assertThat(store.get(id).orElseThrow().task().state()).isEqualTo(State.INITIALIZING);
    assertThat(engine).hasToString("TesEngine[backend=FakeBackend, store=" + store + ", unfinished=1, closed]");
  }

  /** {@code tes4j serve}'s default store: a heap that does not grow with every task ever run. */
  @Test
  void aMemoryStoreWithKeepEndedDropsTheTasksThatEndedFirst() {
    FakeBackend backend = new FakeBackend();
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend)
        .store("memory:?keepEnded=2").build()) {
      List<String> ids = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        ids.add(engine.createTask(Tasks.named("t" + i)));
      }
      backend.awaitStarted(4);
      for (String id : ids.subList(0, 3)) {
        backend.complete(id);
        assertThat(engine.await(id, Duration.ofSeconds(10)).state()).isEqualTo(State.COMPLETE);
      }

      assertThatThrownBy(() -> engine.getTask(ids.get(0), View.MINIMAL))
          .isInstanceOf(io.tes4j.api.TaskNotFoundException.class);
      assertThat(engine.getTask(ids.get(1), View.MINIMAL).state()).isEqualTo(State.COMPLETE);
      assertThat(engine.getTask(ids.get(3), View.MINIMAL).state().isTerminal()).as("unfinished: kept").isFalse();
      assertThat(engine.listTasks(io.tes4j.api.ListTasksRequest.builder().view(View.MINIMAL).build()).tasks())
          .extracting(io.tes4j.model.Task::id).containsExactly(ids.get(3), ids.get(2), ids.get(1));
    }
  }

  @Test
  void aFailedBuildClosesTheBackend() {
    FakeBackend backend = new FakeBackend();
    TaskStore broken = new ClosingStore() {
      @Override
      public List<StoredTask> unfinished() {
        throw new IllegalStateException("database down");
      }
    };

    assertThatThrownBy(() -> TesEngine.builder().engineExecutor(Runnable::run).backend(backend).store(broken).build()).hasMessage("database down");
    assertThat(backend.closed).isTrue();
    assertThat(((ClosingStore) broken).closed).as("a given store is left to its owner").isFalse();
  }

  @Test
  void anEngineAnswersWithoutBlockingOnlyOverAnInMemoryStoreAndWithoutListeners(@TempDir Path dir) {
    try (TesEngine memory = TesEngine.builder().engineExecutor(Runnable::run).backend(new FakeBackend()).build();
        TesEngine listened = TesEngine.builder().engineExecutor(Runnable::run).backend(new FakeBackend())
            .listener((id, from, to) -> { }).build();
        TesEngine sqlite = TesEngine.builder().engineExecutor(Runnable::run).backend(new FakeBackend())
            .store("jdbc:sqlite:" + dir.resolve("tasks.db")).build();
        TesEngine ownStore = TesEngine.builder().engineExecutor(Runnable::run).backend(new FakeBackend())
            .store(new ForwardingTaskStore() { }).build()) {
      assertThat(memory.answersWithoutBlocking()).as("the default memory store, no listener").isTrue();
      assertThat(listened.answersWithoutBlocking()).as("a listener is told on the creating thread").isFalse();
      assertThat(sqlite.answersWithoutBlocking()).as("a database store").isFalse();
      assertThat(ownStore.answersWithoutBlocking()).as("a store that does not say it is in memory").isFalse();
    }
    assertThat(new MemoryTaskStore().isInMemory()).isTrue();
  }
}
