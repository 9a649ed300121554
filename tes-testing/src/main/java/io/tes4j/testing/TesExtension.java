package io.tes4j.testing;

import io.tes4j.api.TesAsyncClient;
import io.tes4j.api.TesClient;
import io.tes4j.engine.TesEngine;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5: a {@link TesEngine} over a {@link MockBackend} for each test class (in a static field)
 * or each test (in an instance field), closed after it. Test methods, constructors and lifecycle
 * methods can take a {@link TesClient}, {@link TesEngine}, {@link TesAsyncClient} or {@link
 * MockBackend} parameter.
 *
 * <pre>{@code
 * class WorkflowTest {
 *   @RegisterExtension static TesExtension tes = TesExtension.mock().delay(Duration.ZERO);
 *
 *   @Test
 *   void failedStepsAreRetried(TesClient client, MockBackend mock) {
 *     mock.enqueue(Outcome.fail(1));                    // the first task fails, the retry completes
 *     new Workflow(client).run();
 *     assertThat(mock.received()).hasSize(2);
 *   }
 * }
 * }</pre>
 *
 * <p>A static extension keeps one engine for the whole class: tasks, scripts and recordings carry
 * from test to test (call {@code mock.reset()} where that matters). The extension is configured
 * before its first use and not changed after.
 */
public final class TesExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private static final Set<Class<?>> RESOLVED =
      Set.of(TesClient.class, TesEngine.class, TesAsyncClient.class, MockBackend.class);

  private Duration delay = MockBackend.DEFAULT_DELAY;
  private Consumer<MockBackend.Builder> backendSettings = builder -> {};
  private Consumer<TesEngine.Builder> engineSettings = builder -> {};
  private MockBackend backend;
  private TesEngine engine;
  private boolean perClass;

  private TesExtension() {}

  /** An engine over a {@link MockBackend}, with the defaults (50 ms per task, no limits). */
  public static TesExtension mock() {
    return new TesExtension();
  }

  /**
   * After how long an unscripted task ends.
   *
   * @param delay zero or more
   * @return this extension
   */
  public TesExtension delay(Duration delay) {
    this.delay = Objects.requireNonNull(delay, "delay");
    return this;
  }

  /**
   * More settings of the mock backend, e.g. {@code b -> b.backendParameters("VmSize")}.
   *
   * @param settings applied to the backend's builder
   * @return this extension
   */
  public TesExtension backend(Consumer<MockBackend.Builder> settings) {
    this.backendSettings = Objects.requireNonNull(settings, "settings");
    return this;
  }

  /**
   * Settings of the engine, e.g. {@code b -> b.maxRunning(2).listener(...)}; the backend is set by
   * the extension. The extension's engine starts each task on the thread that admits it ({@code
   * engineExecutor(Runnable::run)}), so the mock has received a task admitted at once when {@code
   * createTask} returns; {@code b -> b.engineExecutor(...)} changes that.
   *
   * @param settings applied to the engine's builder
   * @return this extension
   */
  public TesExtension engine(Consumer<TesEngine.Builder> settings) {
    this.engineSettings = Objects.requireNonNull(settings, "settings");
    return this;
  }

  /** The engine of the current test (or class). */
  public TesEngine engine() {
    return started().engine;
  }

  /** The engine, as the {@link TesClient} the code under test uses. */
  public TesClient client() {
    return engine();
  }

  /** The mock backend under the engine. */
  public MockBackend mockBackend() {
    return started().backend;
  }

  private TesExtension started() {
    if (engine == null) {
      throw new IllegalStateException(
          "the TesExtension has not started: register it with @RegisterExtension, and use it from a test or a"
              + " lifecycle method");
    }
    return this;
  }

  private void start() {
    MockBackend.Builder backendBuilder = MockBackend.builder().delay(delay);
    backendSettings.accept(backendBuilder);
    MockBackend mock = backendBuilder.build();
    // Each task starts on createTask's thread, so the mock has it (received()) when createTask
    // returns: a test's assertions need no wait. The settings may choose otherwise.
    TesEngine.Builder engineBuilder = TesEngine.builder().engineExecutor(Runnable::run);
    engineSettings.accept(engineBuilder);
    this.engine = engineBuilder.backend(mock).build();
    this.backend = mock;
  }

  private void stop() {
    if (engine != null) {
      engine.close();
      engine = null;
      backend = null;
    }
  }

  /** Starts the engine of a static extension, for the whole class. */
  @Override
  public void beforeAll(ExtensionContext context) {
    perClass = true;
    start();
  }

  /** Closes the engine of a static extension. */
  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  /** Starts the engine of an instance extension, for this test. */
  @Override
  public void beforeEach(ExtensionContext context) {
    if (!perClass) {
      start();
    }
  }

  /** Closes the engine of an instance extension. */
  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass) {
      stop();
    }
  }

  /** Whether the parameter is a TesClient, TesEngine, TesAsyncClient or MockBackend. */
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return RESOLVED.contains(parameter.getParameter().getType());
  }

  /** The engine, its async view or the mock backend. */
  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    if (engine == null) {
      throw new ParameterResolutionException(
          "the TesExtension has no engine yet for " + parameter.getParameter()
              + ": an extension in an instance field starts before each test, not for constructors or @BeforeAll");
    }
    Class<?> type = parameter.getParameter().getType();
    if (type == MockBackend.class) {
      return backend;
    }
    return type == TesAsyncClient.class ? engine.async() : engine;
  }
}
