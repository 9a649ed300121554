package io.tes4j.api;

import io.tes4j.api.internal.AsyncOverSync;
import io.tes4j.api.internal.Polling;
import io.tes4j.api.internal.Providers;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import java.net.URI;
import java.time.Duration;
import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The five TES operations, plus waiting for a task and lazy paging: the one interface for running
 * TES tasks, whether a remote server answers them ({@code TesHttpClient} in {@code tes-client}) or
 * an in-process engine does. Code written against it does not change when the tasks move.
 *
 * <pre>{@code
 * try (TesClient tes = TesClient.connect("https://tes.example.org/ga4gh/tes/v1")) {
 *   String id = tes.createTask(Task.builder()
 *       .addExecutor(Executor.of("alpine:3.20", "echo", "hello"))
 *       .build());
 *   Task done = tes.await(id, Duration.ofMinutes(10));
 *   System.out.println(done.state());                      // COMPLETE
 * }
 * }</pre>
 *
 * <p>Implementations are thread-safe: build one client and share it. Errors are unchecked
 * {@link TesException}s; a task that ran and failed is not an exception but a terminal
 * {@link io.tes4j.model.State} on the task.
 */
public interface TesClient extends AutoCloseable {

  /**
   * Opens a client for {@code uri}, through the {@link io.tes4j.api.spi.TesClientProvider} on the
   * class path that claims it: {@code http://} and {@code https://} give the HTTP client of
   * {@code tes-client}; a backend's scheme ({@code "local:"}, {@code "mock:"}, {@code
   * "k8s://namespace"}) gives an in-process engine over that backend when {@code tes-backend-spi} and
   * the backend's module are on the class path. Query parameters of the URI may carry provider
   * settings. A bare scheme such as {@code "mock:"} is read as {@code "mock:?"}.
   *
   * @throws TesClientException when no provider, or more than one, claims the URI, or the text is
   *     not a URI; the message lists the providers found and the schemes each handles
   */
  static TesClient connect(String uri) {
    java.util.Objects.requireNonNull(uri, "uri");
    // A bare scheme ("mock:", "local:") is not a URI java.net.URI can parse; read it as "mock:?",
    // the same opaque form as "local:?runtime=host", with no parameters.
    String text = uri.matches("[A-Za-z][A-Za-z0-9+.-]*:") ? uri + "?" : uri;
    URI parsed;
    try {
      parsed = new URI(text);
    } catch (java.net.URISyntaxException e) {
      // The exception's message holds the text as given, whose query may hold a password: not chained.
      throw new TesClientException(
          "cannot connect to '" + io.tes4j.api.internal.Providers.shown(uri) + "': not a valid URI: " + e.getReason()
              + " at index " + e.getIndex());
    }
    return connect(parsed);
  }

  /** As {@link #connect(String)}. */
  static TesClient connect(URI uri) {
    return Providers.connect(uri);
  }

  /** What the service says about itself. */
  ServiceInfo serviceInfo();

  /**
   * Submits a task and returns the id the service gave it. The service runs it asynchronously.
   *
   * @throws InvalidTaskException when the service rejects the task
   */
  String createTask(Task task);

  /**
   * Fetches a task in the given view.
   *
   * @throws TaskNotFoundException when no task has this id
   */
  Task getTask(String id, View view);

  /**
   * Fetches a task in the {@link View#FULL FULL} view (everything, logs included). The spec's own
   * default is MINIMAL; ask for it with {@link #getTask(String, View)} when only the state matters.
   */
  default Task getTask(String id) {
    return getTask(id, View.FULL);
  }

  /** One page of tasks. */
  ListTasksResponse listTasks(ListTasksRequest request);

  /**
   * Every task matching {@code request}, fetching pages lazily as the stream is consumed, starting
   * at {@code request.pageToken()}. The stream is sequential; close it, or consume it fully, to
   * stop asking for pages.
   */
  default Stream<Task> streamTasks(ListTasksRequest request) {
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(iterateTasks(request), Spliterator.ORDERED | Spliterator.NONNULL),
        false);
  }

  /** As {@link #streamTasks(ListTasksRequest)}, as an iterator. */
  default Iterator<Task> iterateTasks(ListTasksRequest request) {
    return new io.tes4j.api.internal.TaskPager(this::listTasks, request);
  }

  /**
   * Asks the service to cancel a task. Cancelling a task that already ended changes nothing.
   *
   * @throws TaskNotFoundException when no task has this id
   */
  void cancelTask(String id);

  /**
   * Waits until the task reaches a terminal state (COMPLETE, EXECUTOR_ERROR, SYSTEM_ERROR, CANCELED
   * or PREEMPTED) and returns it in the FULL view. CANCELING, PAUSED and UNKNOWN are waited through.
   * Polls the MINIMAL view with a growing delay (0.2 s, up to 5 s between polls).
   *
   * @throws TesTimeoutException when {@code timeout} passes first; the task goes on running
   * @throws TesClientException when the waiting thread is interrupted (the flag stays set)
   */
  default Task await(String id, Duration timeout) {
    return Polling.await(this, id, timeout);
  }

  /**
   * A view of this client whose calls return {@link java.util.concurrent.CompletableFuture}s; it
   * shares this client's connections and settings. The default runs the blocking calls on a shared
   * pool of daemon threads; the HTTP client answers them without blocking threads.
   */
  default TesAsyncClient async() {
    return new AsyncOverSync(this);
  }

  /**
   * Whether {@link #getTask(String, View)}, {@link #listTasks} and {@link #createTask} return
   * without blocking: from memory, with no I/O, no wait for a lock held across I/O and no call of
   * code that might block. A server may then call them on a thread that must never block, its
   * network thread, rather than hand each request to a worker thread (on one keep-alive connection,
   * that hand-off is most of the time of a small answer); {@code TesApi} does. A wrong {@code true}
   * would stall every connection of that thread behind one slow call, so the default is false; an
   * in-process engine over its memory store says true.
   *
   * @return false unless the implementation knows these calls are served from memory
   */
  default boolean answersWithoutBlocking() {
    return false;
  }

  /** Releases connections and threads. Calls after close fail. */
  @Override
  void close();
}
