package io.tes4j.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.tes4j.api.InvalidTaskException;
import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.QueueFullException;
import io.tes4j.api.TaskNotFoundException;
import io.tes4j.api.TesClient;
import io.tes4j.api.TesClientException;
import io.tes4j.api.TesServiceException;
import io.tes4j.model.CancelTaskResponse;
import io.tes4j.model.CreateTaskResponse;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TaskValidator;
import io.tes4j.model.TesJson;
import io.tes4j.model.View;
import io.tes4j.model.Violation;
import io.tes4j.server.auth.AuthenticationException;
import io.tes4j.server.auth.AuthenticationUnavailableException;
import io.tes4j.server.auth.Authenticator;
import io.tes4j.server.auth.Identity;
import io.tes4j.server.auth.Scope;
import io.tes4j.server.internal.AccessLog;
import io.tes4j.server.internal.MinimalPages;
import io.tes4j.server.internal.QueryParameters;
import io.tes4j.server.internal.RequestIds;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The TES 1.1 HTTP API over a {@link TesClient}, independent of any web server: a request in, a
 * status, headers and JSON body out. {@link TesServer} runs it on Jetty; to mount it
 * in a Servlet container, Netty or another server, turn each request into an {@link ApiRequest}
 * and send the {@link ApiResponse} back as it is.
 *
 * <pre>{@code
 * TesApi api = TesApi.builder(engine).authenticator(myAuthenticator).isolateUsers(true).build();
 * ApiResponse answer = api.handle(new ApiRequest(method, rawPath, rawQuery, headers, body, null));
 * }</pre>
 *
 * <h2>Routes</h2>
 *
 * <p>Each under the spec's {@code /ga4gh/tes/v1} and TESP API's {@code /v1} (which Nextflow calls as
 * {@code {endpoint}/v1/tasks}); {@code GET /service-info} is also served at the root.
 *
 * <table>
 *   <caption>Routes and the scope each needs</caption>
 *   <tr><th>Route</th><th>Answer</th><th>Scope</th></tr>
 *   <tr><td>{@code GET service-info}</td><td>the client's service info, its {@code storage} narrowed
 *       to what the {@link TaskPolicy} allows</td><td>READ</td></tr>
 *   <tr><td>{@code GET tasks?view=&name_prefix=&state=&tag_key=&tag_value=&page_size=&page_token=}</td>
 *       <td>a page of tasks; {@code next_page_token} only when more exist</td><td>READ</td></tr>
 *   <tr><td>{@code POST tasks}</td><td>{@code {"id": "..."}}</td><td>SUBMIT</td></tr>
 *   <tr><td>{@code GET tasks/{id}?view=}</td><td>the task (MINIMAL by default)</td><td>READ</td></tr>
 *   <tr><td>{@code POST tasks/{id}:cancel}</td><td>{@code {}}</td><td>CANCEL</td></tr>
 * </table>
 *
 * <h2>Statuses</h2>
 *
 * <p>200 on success. Every error answer has the body {@code {"status": 400, "message": "...",
 * "violations": [{"path": "executors[0].image", "message": "..."}], "request_id": "..."}}, with
 * {@code violations} only where there are some: 400 for an invalid task (every problem of the
 * document, of {@link TaskValidator} and of the {@link TaskPolicy}, at once), malformed JSON (with
 * its line and column) and a bad query parameter (named, with the values allowed); 401 when
 * credentials are missing or wrong (with {@code WWW-Authenticate}); 403 when the caller lacks the
 * route's scope; 404 for an unknown path or task id; 405 for a known path and another method (with
 * {@code Allow}); 413 for a body over {@link Builder#maxRequestBytes(long)}; 415 for a task whose
 * {@code Content-Type} is not JSON; 502 when a remote TES service behind the API answered an error,
 * 503 when it cannot be reached or the client is closed (with {@code Retry-After} when the same
 * request may succeed later: an engine whose task store failed, so that no task was created); 500,
 * with a generic message, for anything
 * else (logged once, with its stack trace and the request id).
 *
 * <h2>Per-user isolation</h2>
 *
 * <p>With {@link Builder#isolateUsers(boolean)}, a task created by a caller gets the tag {@value
 * #OWNER_TAG} set to the caller's {@link Identity#user()} (a task that already has that tag with
 * another value is refused, at {@code tags.tes4j.owner}). A caller then sees, lists and cancels only
 * tasks whose tag names them: another user's task is answered 404 exactly as an unknown id, so its
 * existence does not leak; the list adds the filter {@value #OWNER_TAG}{@code =user}, which the
 * engine applies on its indexes.
 *
 * <h2>Request ids and logs</h2>
 *
 * <p>Each request gets an id: the hosting server's, else the client's {@code X-Request-Id} when it is
 * 1 to 128 printable characters, else a new one. It is sent back in {@code X-Request-Id}, written in
 * error bodies, put in the SLF4J MDC as {@code request_id} while the request runs, and named in the
 * one INFO line logged per request (logger {@code io.tes4j.server}: method, path, status,
 * milliseconds, user). Neither the {@code Authorization} header nor a body is ever logged.
 *
 * <p>Instances are immutable and thread-safe; the {@link TesClient} must be thread-safe too (every
 * tes4j client is).
 */
public final class TesApi {
  /** The tag that holds a task's owner when users are isolated. */
  public static final String OWNER_TAG = "tes4j.owner";

  /** The spec's base path. */
  public static final String SPEC_BASE_PATH = "/ga4gh/tes/v1";

  /** TESP API's base path, which Nextflow calls. */
  public static final String TESP_BASE_PATH = "/v1";

  /**
   * The largest task document {@link #answersWithoutBlocking} lets a network thread read and
   * validate: 64 KiB. Tasks are a few KiB; a larger one takes a worker thread rather than the time of
   * the connections that share the network thread.
   */
  public static final long MAX_BODY_ANSWERED_AT_ONCE = 64 * 1024;

  /** The default largest request body: 10 MiB. */
  public static final long DEFAULT_MAX_REQUEST_BYTES = 10L * 1024 * 1024;

  /** The MDC key that holds the request id while a request runs. */
  public static final String MDC_REQUEST_ID = "request_id";

  private static final Logger LOG = LoggerFactory.getLogger("io.tes4j.server");
  private static final String JSON = "application/json";

  private final TesClient tes;
  private final Authenticator authenticator;
  private final TaskPolicy policy;
  private final boolean isolateUsers;
  private final long maxRequestBytes;
  private final UnaryOperator<ServiceInfo> serviceInfo;
  /** Whether the client and the authenticator let a GET be answered at once. */
  private final boolean readsAtOnce;
  /** Whether, in addition, the policy lets a POST /tasks be checked at once. */
  private final boolean createsAtOnce;
  /**
   * Whether {@link #handleAsync} creates tasks through the client's asynchronous view: when a create
   * waits (for a durable store, a remote service) and that view waits without a thread per call.
   */
  private final boolean createsLater;

  private TesApi(Builder builder) {
    this.tes = builder.tes;
    this.authenticator = builder.authenticator;
    this.policy = builder.policy;
    this.isolateUsers = builder.isolateUsers;
    this.maxRequestBytes = builder.maxRequestBytes;
    this.serviceInfo = builder.serviceInfo;
    // bcrypt (Basic) costs milliseconds of CPU and OIDC may fetch keys: the authenticator says
    // whether it checks a request from memory at once. File roots make the policy look at the file
    // system (symbolic links).
    boolean checksAtOnce = authenticator.authenticatesWithoutBlocking();
    this.readsAtOnce = checksAtOnce && tes.answersWithoutBlocking();
    this.createsAtOnce = readsAtOnce && policy.fileRoots().isEmpty();
    this.createsLater = !tes.answersWithoutBlocking() && !tes.async().holdsThreadPerCall();
  }

  /**
   * A builder of the API over {@code tes}.
   *
   * @param tes the client that answers: usually a {@code TesEngine}, or any {@link TesClient}
   * @return a new builder
   */
  public static Builder builder(TesClient tes) {
    return new Builder(tes);
  }

  /**
   * The largest request body accepted.
   *
   * @return the limit in bytes; a hosting server need not read more than one byte beyond it
   */
  public long maxRequestBytes() {
    return maxRequestBytes;
  }

  /**
   * Whether {@link #handle} answers this request without blocking, so that a server built on
   * non-blocking I/O may call it on its network thread and save the hand-off to a worker thread. True
   * for {@code GET} of a task or of a page of tasks, and for {@code POST /tasks} with a body of at
   * most {@link #MAX_BODY_ANSWERED_AT_ONCE} bytes, when the client says it answers without blocking
   * ({@link TesClient#answersWithoutBlocking()}: a {@code TesEngine} over its memory store), the
   * authenticator {@linkplain io.tes4j.server.auth.Authenticator#authenticatesWithoutBlocking checks
   * from memory} (none, bearer tokens), and (for a POST) the policy has no file roots,
   * whose checks look at the file system. False for anything else (service info with its
   * customizer, a cancel, which calls the backend, Basic or OIDC credentials, a body of unknown or
   * larger length), which must be handled where blocking is allowed.
   *
   * @param method the request's method
   * @param rawPath the request's path, undecoded, as given to {@link ApiRequest}
   * @param bodyLength the body's declared length in bytes, 0 for none, -1 when unknown (chunked)
   * @return whether the answer comes from memory, without waiting
   */
  public boolean answersWithoutBlocking(String method, String rawPath, long bodyLength) {
    boolean get = "GET".equals(method);
    boolean create = "POST".equals(method) && bodyLength >= 0 && bodyLength <= MAX_BODY_ANSWERED_AT_ONCE;
    if (!(get ? readsAtOnce : create && createsAtOnce)) {
      return false;
    }
    Route route = route(rawPath);
    return route != null && (route.resource() == Resource.TASKS || get && route.resource() == Resource.TASK);
  }

  /**
   * Whether callers see only their own tasks.
   *
   * @return the builder's {@link Builder#isolateUsers(boolean)}
   */
  public boolean isolatesUsers() {
    return isolateUsers;
  }

  /**
   * Answers one request. Never throws for anything a client sent: every problem is an answer.
   *
   * @param request the request
   * @return the answer to send
   */
  public ApiResponse handle(ApiRequest request) {
    return respond(request, false).join(); // complete already: nothing was left to wait for
  }

  /**
   * Answers one request as {@link #handle} does, without a thread waiting for the task store: when
   * a create waits (the client does not {@linkplain TesClient#answersWithoutBlocking answer at once})
   * and the client's {@linkplain TesClient#async() asynchronous view} holds no thread per call
   * ({@link io.tes4j.api.TesAsyncClient#holdsThreadPerCall}: a {@code TesEngine} over a JDBC store,
   * the HTTP client), a {@code POST /tasks} returns once the task is checked and its write is
   * queued, and the answer completes when the task is stored, on the thread that completes the
   * client's {@code createTask} (for the engine over a JDBC store, the store's own thread). So a
   * server whose creates wait for a durable store holds no thread per create. Other requests are
   * answered on the calling thread, as {@link #handle} answers them. Never fails for anything a
   * client sent: every problem is an answer.
   *
   * @param request the request
   * @return the answer to send, when it is ready
   */
  public CompletableFuture<ApiResponse> handleAsync(ApiRequest request) {
    return respond(request, true);
  }

  /** {@link #handle} ({@code async} false: every future returned is complete) and {@link #handleAsync}. */
  private CompletableFuture<ApiResponse> respond(ApiRequest request, boolean async) {
    Objects.requireNonNull(request, "request");
    long started = System.nanoTime();
    String requestId = request.requestId() != null && RequestIds.isSane(request.requestId())
        ? request.requestId()
        : RequestIds.choose(request.header("X-Request-Id"));
    String previous = MDC.get(MDC_REQUEST_ID);
    MDC.put(MDC_REQUEST_ID, requestId);
    Exchange exchange = new Exchange(request, requestId, async);
    CompletableFuture<ApiResponse> answer;
    try {
      answer = answer(exchange);
    } catch (RuntimeException e) {
      answer = CompletableFuture.completedFuture(internalError(exchange, e));
    } finally {
      if (previous == null) {
        MDC.remove(MDC_REQUEST_ID);
      } else {
        MDC.put(MDC_REQUEST_ID, previous);
      }
    }
    return answer.handle((response, e) -> {
      ApiResponse sent = e == null ? response : internalError(exchange, unwrap(e));
      long millis = (System.nanoTime() - started) / 1_000_000;
      AccessLog.log(requestId, request.method(), request.path(), sent.status(), millis,
          exchange.identity == null ? null : exchange.identity.user());
      return sent;
    });
  }

  /** A bug of this class, or of an authenticator or policy: logged, never shown to the client. */
  private static ApiResponse internalError(Exchange exchange, Throwable e) {
    ApiRequest request = exchange.request;
    LOG.error("request {}: {} {} failed", exchange.requestId, request.method(), loggable(request.path()), e);
    return exchange.error(500, "internal error; the server's log has the details under request id "
        + exchange.requestId, List.of());
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  // -----------------------------------------------------------------------------------------------
  // Routing.

  private enum Resource {
    SERVICE_INFO("GET"),
    TASKS("GET, POST"),
    TASK("GET"),
    CANCEL("POST");

    final String allow;

    Resource(String allow) {
      this.allow = allow;
    }
  }

  /** A resource and, for a task's, the decoded id. */
  private record Route(Resource resource, String taskId) {}

  private CompletableFuture<ApiResponse> answer(Exchange exchange) {
    ApiRequest request = exchange.request;
    Route route = route(request.path());
    if (route == null) {
      return CompletableFuture.completedFuture(exchange.error(404, "no such path: " + printable(request.path())
          + "; the TES API is served under " + SPEC_BASE_PATH + " (and " + TESP_BASE_PATH + "): service-info,"
          + " tasks, tasks/{id}, tasks/{id}:cancel", List.of()));
    }
    String method = request.method().toUpperCase(Locale.ROOT);
    ApiResponse refused = admit(exchange, route, method);
    if (refused != null) {
      return CompletableFuture.completedFuture(refused);
    }
    try {
      if (exchange.async && createsLater && route.resource() == Resource.TASKS && method.equals("POST")) {
        // The one request that waits for the store: no thread waits with it.
        return tes.async().createTask(createdTask(exchange)).handle((id, e) -> e == null
            ? exchange.ok(new CreateTaskResponse(id))
            : failed(exchange, route, unwrap(e)));
      }
      return CompletableFuture.completedFuture(switch (route.resource()) {
        case SERVICE_INFO -> exchange.ok(serviceInfo.apply(withPolicy(tes.serviceInfo())));
        case TASKS -> method.equals("GET")
            ? list(exchange)
            : exchange.ok(new CreateTaskResponse(tes.createTask(createdTask(exchange))));
        case TASK -> get(exchange, route.taskId());
        case CANCEL -> cancel(exchange, route.taskId());
      });
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failed(exchange, route, e));
    }
  }

  /**
   * Whether the caller may make this request: null when so, else the answer that refuses it (405,
   * 413, 401, 403, or 503 while credentials cannot be checked).
   */
  private ApiResponse admit(Exchange exchange, Route route, String method) {
    ApiRequest request = exchange.request;
    Scope scope = scope(route.resource(), method);
    if (scope == null) {
      ApiResponse refused = exchange.error(405, "method " + printable(request.method()) + " is not allowed on "
          + printable(request.path()) + "; allowed: " + route.resource().allow, List.of());
      return withHeader(refused, "Allow", route.resource().allow);
    }
    ApiResponse tooLarge = checkSize(exchange);
    if (tooLarge != null) {
      return tooLarge;
    }
    try {
      exchange.identity = authenticator.authenticate(request.header("Authorization"));
    } catch (AuthenticationUnavailableException e) {
      // The identity provider is down: the caller's credentials may be fine, so not a 401.
      LOG.warn("credentials could not be checked: {}", e.getMessage());
      return withHeader(exchange.error(503, "credentials cannot be checked now: " + e.getMessage(), List.of()),
          "Retry-After", "30");
    } catch (AuthenticationException e) {
      ApiResponse refused = exchange.error(401, e.getMessage() == null ? "authentication required" : e.getMessage(),
          List.of());
      return e.challenge() == null ? refused : withHeader(refused, "WWW-Authenticate", e.challenge());
    }
    if (exchange.identity == null) {
      throw new IllegalStateException("the authenticator returned no identity");
    }
    if (!exchange.identity.may(scope)) {
      return exchange.error(403, "user '" + exchange.identity.user() + "' lacks the scope '" + scope.wireName()
          + "' that " + method + " " + printable(request.path()) + " needs", List.of());
    }
    return null;
  }

  /**
   * The answer to a request whose operation threw {@code e}: the caller's mistakes and the service's
   * failures as their statuses; anything else is rethrown (a 500, logged).
   */
  private ApiResponse failed(Exchange exchange, Route route, Throwable e) {
    if (e instanceof BadRequest bad) {
      return exchange.error(bad.status, bad.getMessage(), bad.violations);
    } else if (e instanceof InvalidTaskException invalid) {
      List<Violation> violations = invalid.violations();
      return exchange.error(400, violations.isEmpty() ? invalid.getMessage() : "invalid request: " + count(violations),
          violations);
    } else if (e instanceof TaskNotFoundException) {
      return notFound(exchange, route.taskId());
    } else if (e instanceof TesServiceException service) {
      // A remote TES service behind this API answered an error that is not the caller's fault.
      LOG.warn("request {}: the TES service behind this server answered {}: {}", exchange.requestId,
          service.statusCode(), service.getMessage());
      return exchange.error(502, "the TES service behind this server answered " + service.statusCode(), List.of());
    } else if (e instanceof QueueFullException full) {
      // The caller's to act on (back off), and no fault of the server: no WARN line per refusal of a
      // flood.
      LOG.debug("request {}: {}", exchange.requestId, full.getMessage());
      return withHeader(exchange.error(503, full.getMessage(), List.of()), "Retry-After", "5");
    } else if (e instanceof TesClientException client) {
      LOG.warn("request {}: the TES service is unavailable: {}", exchange.requestId, client.getMessage());
      ApiResponse unavailable = exchange.error(503, "the TES service is unavailable (closed, shutting down or"
          + " unreachable); try again later", List.of());
      // Retryable: e.g. the engine's task store failed, so the task was not created; it may be soon.
      return client.retryable() ? withHeader(unavailable, "Retry-After", "5") : unavailable;
    } else if (e instanceof RuntimeException runtime) {
      throw runtime;
    } else if (e instanceof Error error) {
      throw error;
    }
    throw new CompletionException(e);
  }

  /**
   * The client's service info with {@code storage} narrowed to what the policy lets tasks use: a
   * location whose scheme is refused is left out, and {@code file:} locations become the file roots.
   */
  private ServiceInfo withPolicy(ServiceInfo info) {
    List<String> storage = new ArrayList<>();
    for (String location : info.storage()) {
      int colon = location.indexOf(':');
      String scheme = colon < 0 ? "" : location.substring(0, colon).toLowerCase(Locale.ROOT);
      if (scheme.equals("file")) {
        policy.fileRoots().forEach(root -> storage.add(root.toUri().toString()));
      } else if (policy.schemes().contains(scheme)) {
        storage.add(location);
      }
    }
    return info.toBuilder().storage(storage.stream().distinct().toList()).build();
  }

  private static Scope scope(Resource resource, String method) {
    return switch (resource) {
      case SERVICE_INFO, TASK -> method.equals("GET") ? Scope.READ : null;
      case TASKS -> method.equals("GET") ? Scope.READ : method.equals("POST") ? Scope.SUBMIT : null;
      case CANCEL -> method.equals("POST") ? Scope.CANCEL : null;
    };
  }

  /** The route of a raw path, or {@code null} when it names nothing of the API. */
  private static Route route(String rawPath) {
    String rest;
    if (rawPath.equals(SPEC_BASE_PATH) || rawPath.equals(TESP_BASE_PATH)) {
      return null;
    } else if (rawPath.startsWith(SPEC_BASE_PATH + "/")) {
      rest = rawPath.substring(SPEC_BASE_PATH.length());
    } else if (rawPath.startsWith(TESP_BASE_PATH + "/")) {
      rest = rawPath.substring(TESP_BASE_PATH.length());
    } else if (rawPath.equals("/service-info") || rawPath.equals("/service-info/")) {
      rest = "/service-info";
    } else {
      return null;
    }
    if (rest.length() > 1 && rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    if (rest.equals("/service-info")) {
      return new Route(Resource.SERVICE_INFO, null);
    }
    if (rest.equals("/tasks")) {
      return new Route(Resource.TASKS, null);
    }
    if (!rest.startsWith("/tasks/")) {
      return null;
    }
    String segment = rest.substring("/tasks/".length());
    if (segment.isEmpty() || segment.indexOf('/') >= 0) {
      return null;
    }
    Resource resource = Resource.TASK;
    for (String suffix : List.of(":cancel", "%3Acancel", "%3acancel")) {
      if (segment.endsWith(suffix)) {
        segment = segment.substring(0, segment.length() - suffix.length());
        resource = Resource.CANCEL;
        break;
      }
    }
    String id = percentDecode(segment);
    return id == null || id.isEmpty() ? null : new Route(resource, id);
  }

  /** Decodes a path segment ({@code +} stays {@code +}), or {@code null} when an escape is broken. */
  private static String percentDecode(String segment) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%') {
        if (i + 2 >= segment.length()) {
          return null;
        }
        int high = Character.digit(segment.charAt(i + 1), 16);
        int low = Character.digit(segment.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return null;
        }
        bytes.write(high * 16 + low);
        i += 2;
      } else {
        byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(encoded, 0, encoded.length);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private ApiResponse checkSize(Exchange exchange) {
    ApiRequest request = exchange.request;
    String declared = request.header("Content-Length");
    long length = request.body().length;
    if (declared != null) {
      try {
        length = Math.max(length, Long.parseLong(declared.strip()));
      } catch (NumberFormatException e) {
        return exchange.error(400, "Content-Length is not a number", List.of());
      }
    }
    if (length > maxRequestBytes) {
      return exchange.error(413, "the request body is larger than this server accepts (" + maxRequestBytes
          + " bytes)", List.of());
    }
    return null;
  }

  // -----------------------------------------------------------------------------------------------
  // The operations.

  /**
   * The task of a {@code POST /tasks}, checked (and owned by the caller when users are isolated).
   *
   * @throws BadRequest when it is not JSON or not a valid task
   */
  private Task createdTask(Exchange exchange) {
    ApiRequest request = exchange.request;
    String contentType = request.header("Content-Type");
    if (contentType != null && !isJson(contentType)) {
      throw new BadRequest(415, "Content-Type '" + printable(contentType) + "' is not JSON; send the task as " + JSON,
          List.of());
    }
    String json = new String(request.body(), StandardCharsets.UTF_8);
    if (json.isBlank()) {
      throw new BadRequest("the body must be a TES task in JSON; it is empty",
          List.of(new Violation("$", "the body is empty; send a task such as"
              + " {\"executors\": [{\"image\": \"alpine:3.20\", \"command\": [\"echo\", \"hello\"]}]}")));
    }
    // One parse: the strict read gives the task and the document's problems together.
    TaskValidator.Checked checked = TaskValidator.readJson(json);
    List<Violation> violations = new ArrayList<>(checked.violations());
    Task task = checked.task();
    if (task != null) {
      violations.addAll(policy.check(task));
      if (isolateUsers) {
        String owner = task.tags().get(OWNER_TAG);
        String user = exchange.identity.user();
        if (owner != null && !owner.equals(user)) {
          violations.add(new Violation("tags." + OWNER_TAG, "is set by this server to the caller's user ('"
              + user + "') since it isolates users; leave it out"));
        }
      }
    }
    if (!violations.isEmpty()) {
      throw new BadRequest("invalid task: " + count(violations), violations);
    }
    if (isolateUsers) {
      task = task.toBuilder().tag(OWNER_TAG, exchange.identity.user()).build();
    }
    return task;
  }

  private static boolean isJson(String contentType) {
    String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    return type.equals(JSON) || (type.startsWith("application/") && type.endsWith("+json"));
  }

  private ApiResponse get(Exchange exchange, String id) {
    QueryParameters query = query(exchange);
    View view = view(query);
    if (isolateUsers && !ownedByCaller(exchange, id)) {
      return notFound(exchange, id);
    }
    return exchange.ok(tes.getTask(id, view));
  }

  private ApiResponse cancel(Exchange exchange, String id) {
    if (isolateUsers && !ownedByCaller(exchange, id)) {
      return notFound(exchange, id);
    }
    tes.cancelTask(id);
    return exchange.ok(new CancelTaskResponse());
  }

  private ApiResponse list(Exchange exchange) {
    QueryParameters query = query(exchange);
    ListTasksRequest.Builder list = ListTasksRequest.builder()
        .view(view(query))
        .namePrefix(single(query, "name_prefix"))
        .pageToken(single(query, "page_token"));
    String state = single(query, "state");
    if (state != null) {
      list.state(state(state));
    }
    String pageSize = single(query, "page_size");
    if (pageSize != null) {
      list.pageSize(pageSize(pageSize));
    }
    Map<String, String> tags = tags(query);
    if (isolateUsers) {
      String user = exchange.identity.user();
      String asked = tags.get(OWNER_TAG);
      if (asked != null && !asked.isEmpty() && !asked.equals(user)) {
        // Only the caller's own tasks are visible, and none of them has this owner.
        return exchange.ok(new ListTasksResponse(List.of(), null));
      }
      tags.put(OWNER_TAG, user);
    }
    list.tags(tags);
    ListTasksRequest asked = list.build();
    ListTasksResponse page = tes.listTasks(asked);
    if (asked.view() == null || asked.view() == View.MINIMAL) {
      return exchange.ok(page, MinimalPages::write);
    }
    return exchange.ok(page);
  }

  /** Whether the task exists and belongs to the caller; its tags are in the BASIC view. */
  private boolean ownedByCaller(Exchange exchange, String id) {
    Task task = tes.getTask(id, View.BASIC);
    return exchange.identity.user().equals(task.tags().get(OWNER_TAG));
  }

  private static ApiResponse notFound(Exchange exchange, String id) {
    return exchange.error(404, "no task with id '" + printable(id) + "'", List.of());
  }

  // -----------------------------------------------------------------------------------------------
  // Query parameters.

  private static QueryParameters query(Exchange exchange) {
    try {
      return QueryParameters.parse(exchange.request.rawQuery());
    } catch (IllegalArgumentException e) {
      throw new BadRequest("bad query: " + e.getMessage(), List.of());
    }
  }

  private static String single(QueryParameters query, String name) {
    try {
      return query.single(name);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(e.getMessage(), List.of(new Violation(name, e.getMessage())));
    }
  }

  private static View view(QueryParameters query) {
    String text = single(query, "view");
    if (text == null || text.isEmpty()) {
      return View.MINIMAL;
    }
    try {
      return View.valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw parameter("view", "'" + printable(text) + "' is not a view; allowed: MINIMAL (the default), BASIC, FULL");
    }
  }

  private static State state(String text) {
    try {
      return State.valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw parameter("state", "'" + printable(text) + "' is not a task state; allowed: "
          + Arrays.stream(State.values()).map(State::name).collect(Collectors.joining(", ")));
    }
  }

  private static int pageSize(String text) {
    long size;
    try {
      size = Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw parameter("page_size", "'" + printable(text) + "' is not a whole number; allowed: 1 to "
          + ListTasksRequest.MAX_PAGE_SIZE + " (default " + ListTasksRequest.DEFAULT_PAGE_SIZE + ")");
    }
    if (size > ListTasksRequest.MAX_PAGE_SIZE) {
      throw parameter("page_size", "must be less than 2048 (the spec's limit), was " + size);
    }
    if (size < 1) {
      throw parameter("page_size", "must be at least 1, was " + size);
    }
    return (int) size;
  }

  /** The spec's tag filter: tag_key and tag_value zipped by position; a missing value is "". */
  private static Map<String, String> tags(QueryParameters query) {
    List<String> keys = query.all("tag_key");
    List<String> values = query.all("tag_value");
    if (values.size() > keys.size()) {
      throw parameter("tag_value", "is given " + values.size() + " times but tag_key only " + keys.size()
          + " times; each tag_value pairs with the tag_key at the same position");
    }
    Map<String, String> tags = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      if (key.isEmpty()) {
        throw parameter("tag_key", "must not be empty (position " + i + ")");
      }
      if (tags.put(key, i < values.size() ? values.get(i) : "") != null) {
        throw parameter("tag_key", "'" + printable(key) + "' is given twice; give each key once");
      }
    }
    return tags;
  }

  private static BadRequest parameter(String name, String problem) {
    return new BadRequest("bad query parameter " + name + ": " + problem, List.of(new Violation(name, problem)));
  }

  // -----------------------------------------------------------------------------------------------
  // Answers.

  /** Writes an answer's body as JSON. */
  @FunctionalInterface
  private interface JsonBytes<T> {
    byte[] write(T body) throws JsonProcessingException;
  }

  /** One request being answered: its id and, once authenticated, its caller. */
  private static final class Exchange {
    final ApiRequest request;
    final String requestId;
    /** Whether a create may answer later ({@link #handleAsync}). */
    final boolean async;
    Identity identity;

    Exchange(ApiRequest request, String requestId, boolean async) {
      this.request = request;
      this.requestId = requestId;
      this.async = async;
    }

    ApiResponse ok(Object body) {
      return ok(body, TesJson.writer()::writeValueAsBytes);
    }

    <T> ApiResponse ok(T body, JsonBytes<T> writer) {
      byte[] bytes;
      try {
        bytes = writer.write(body);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write " + body.getClass().getSimpleName() + " as JSON", e);
      }
      return new ApiResponse(200, Map.of("Content-Type", JSON, "X-Request-Id", requestId), bytes);
    }

    ApiResponse error(int status, String message, List<Violation> violations) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", status);
      body.put("message", message);
      if (!violations.isEmpty()) {
        List<Map<String, String>> listed = new ArrayList<>();
        for (Violation violation : violations) {
          listed.add(Map.of("path", violation.path(), "message", violation.message()));
        }
        body.put("violations", listed);
      }
      body.put("request_id", requestId);
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Content-Type", JSON);
      headers.put("X-Request-Id", requestId);
      return new ApiResponse(status, headers, TesJson.write(body).getBytes(StandardCharsets.UTF_8));
    }
  }

  private static ApiResponse withHeader(ApiResponse response, String name, String value) {
    Map<String, String> headers = new LinkedHashMap<>(response.headers());
    headers.put(name, value);
    return new ApiResponse(response.status(), headers, response.body());
  }

  private static String count(List<Violation> violations) {
    return violations.size() == 1 ? violations.get(0).toString() : violations.size() + " problems";
  }

  /** {@code text} with control characters replaced, so that it cannot forge log lines. */
  private static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      out.append(c < ' ' || c == 127 ? '?' : c);
    }
    return out.toString();
  }

  private static String loggable(String text) {
    return AccessLog.loggable(text);
  }

  /** A request the API refuses with 400 (or 415: not JSON), with the violations to list. */
  private static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final transient List<Violation> violations;

    BadRequest(String message, List<Violation> violations) {
      this(400, message, violations);
    }

    BadRequest(int status, String message, List<Violation> violations) {
      super(message, null, false, false);
      this.status = status;
      this.violations = violations;
    }
  }

  /** Builds a {@link TesApi}. Not thread-safe. */
  public static final class Builder {
    private final TesClient tes;
    private Authenticator authenticator = Authenticator.none();
    private TaskPolicy policy = TaskPolicy.defaults();
    private boolean isolateUsers;
    private long maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
    private UnaryOperator<ServiceInfo> serviceInfo = UnaryOperator.identity();

    private Builder(TesClient tes) {
      this.tes = Objects.requireNonNull(tes, "tes");
    }

    /**
     * Who may call.
     *
     * @param authenticator checks each request's {@code Authorization}; default {@link Authenticator#none()}
     * @return this builder
     */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
      return this;
    }

    /**
     * What tasks may reference.
     *
     * @param policy default {@link TaskPolicy#defaults()}
     * @return this builder
     */
    public Builder policy(TaskPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Whether a user sees and cancels only their own tasks (see the class javadoc).
     *
     * @param isolate default false
     * @return this builder
     */
    public Builder isolateUsers(boolean isolate) {
      this.isolateUsers = isolate;
      return this;
    }

    /**
     * The largest request body accepted; larger ones get 413.
     *
     * @param bytes at least 1; default 10 MiB
     * @return this builder
     * @throws IllegalArgumentException when {@code bytes} is less than 1
     */
    public Builder maxRequestBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxRequestBytes must be at least 1, was " + bytes);
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    /**
     * Changes what {@code service-info} answers, e.g. to name the organization running the server:
     * {@code info -> info.toBuilder().organization("My lab", "https://lab.example.org").build()}.
     *
     * @param customizer applied to the client's service info on each request
     * @return this builder
     */
    public Builder serviceInfo(UnaryOperator<ServiceInfo> customizer) {
      this.serviceInfo = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    /**
     * The API.
     *
     * @return an immutable, thread-safe API
     */
    public TesApi build() {
      return new TesApi(this);
    }
  }
}
