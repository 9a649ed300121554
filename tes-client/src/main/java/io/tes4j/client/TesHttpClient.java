package io.tes4j.client;

import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TesAsyncClient;
import io.tes4j.api.TesClient;
import io.tes4j.client.internal.BaseUrl;
import io.tes4j.client.internal.HttpTesAsyncClient;
import io.tes4j.client.internal.HttpTransport;
import io.tes4j.client.internal.TesRoutes;
import io.tes4j.client.internal.Version;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A {@link TesClient} for any TES 1.1 server over HTTP(S), on the JDK's {@link HttpClient}.
 *
 * <pre>{@code
 * try (TesHttpClient tes = TesHttpClient.builder()
 *     .baseUrl("https://tes.example.org/ga4gh/tes/v1")
 *     .auth(TesAuth.bearer(System.getenv("TES_TOKEN")))
 *     .requestTimeout(Duration.ofSeconds(30))
 *     .build()) {
 *   String id = tes.createTask(task);
 *   Task done = tes.await(id, Duration.ofMinutes(30));
 * }
 * }</pre>
 *
 * <p><b>The base URL</b> is the address the TES routes hang under, given in full: {@code
 * http://host:8000/ga4gh/tes/v1} for servers that follow the spec, {@code http://host:8000/v1} for
 * TESP API. A base URL with no path (or just {@code /}) gets the spec's {@code /ga4gh/tes/v1}
 * appended; a trailing slash is ignored. {@code user:password@} in the base URL means HTTP Basic
 * auth: it is taken out of the URL and never shown. The client then calls {@code GET
 * {base}/service-info}, {@code GET|POST {base}/tasks}, {@code GET {base}/tasks/{id}} and {@code
 * POST {base}/tasks/{id}:cancel}, always sending the {@code view} parameter explicitly.
 *
 * <p><b>Errors</b>: 400 and 422 → {@link io.tes4j.api.InvalidTaskException} with the violations the
 * body lists; 401 and 403 → {@link io.tes4j.api.TesAuthException}; 404 on a task → {@link
 * io.tes4j.api.TaskNotFoundException} (on other routes, a {@link io.tes4j.api.TesServiceException}
 * asking whether the base URL is right); other statuses → {@link io.tes4j.api.TesServiceException};
 * no answer → {@link io.tes4j.api.TesClientException}, a {@link io.tes4j.api.TesTimeoutException}
 * when the request timeout passed. Messages and logs never hold credentials. Redirects are not
 * followed, so credentials never go to another host.
 *
 * <p><b>Retries</b> follow {@link RetrySettings}: idempotent calls are retried after connection
 * failures, timeouts, 429, 502, 503 and 504; {@link #createTask} only when the server certainly did
 * not process it.
 *
 * <p>The client is thread-safe: build one and share it. Its {@link Builder} is not thread-safe.
 * {@link #close()} ends the thread it uses for retries and polling.
 */
public final class TesHttpClient implements TesClient {
  /** The connect timeout when none is set. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** The per-request timeout when none is set. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);

  /** Headers the client sets itself, which {@link Builder#header} refuses. */
  private static final Set<String> OWN_HEADERS = Set.of("accept", "content-type", "user-agent");

  private final URI baseUrl;
  private final TesAuth auth;
  private final List<Map.Entry<String, String>> headers;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final RetrySettings retry;
  private final String userAgent;
  private final HttpTransport transport;
  private final TesRoutes routes;
  private final TesAsyncClient async;

  private TesHttpClient(Builder b, BaseUrl base, TesAuth auth, HttpClient http) {
    this.baseUrl = base.uri();
    this.auth = auth;
    this.headers = List.copyOf(b.headers.values());
    this.connectTimeout = b.connectTimeout;
    this.requestTimeout = b.requestTimeout;
    this.retry = b.retry;
    this.userAgent = b.userAgent;
    this.transport =
        new HttpTransport(
            http, baseUrl, auth.newAuthorization(), headers, requestTimeout, userAgent, retry);
    this.routes = new TesRoutes(baseUrl);
    this.async = new HttpTesAsyncClient(this, transport, routes);
  }

  /**
   * A client for {@code baseUrl} with the default settings: {@code
   * builder().baseUrl(baseUrl).build()}.
   *
   * @throws IllegalArgumentException when the base URL is not an http or https URL
   */
  public static TesHttpClient create(URI baseUrl) {
    return builder().baseUrl(baseUrl).build();
  }

  /** As {@link #create(URI)}. */
  public static TesHttpClient create(String baseUrl) {
    return builder().baseUrl(baseUrl).build();
  }

  /** A new builder with the default settings and no base URL. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this client's settings, whose clients share this client's {@link HttpClient}
   * (its connections) unless the connect timeout is changed. Closing one client does not affect the
   * other.
   */
  public Builder newBuilder() {
    Builder b = new Builder();
    b.baseUrl = baseUrl;
    b.auth = auth;
    headers.forEach(h -> b.header(h.getKey(), h.getValue()));
    b.connectTimeout = connectTimeout;
    b.requestTimeout = requestTimeout;
    b.retry = retry;
    b.userAgent = userAgent;
    b.sharedHttpClient = transport.httpClient();
    b.sharedConnectTimeout = connectTimeout;
    return b;
  }

  /** The normalized base URL, without credentials, e.g. {@code http://h:8000/ga4gh/tes/v1}. */
  public URI baseUrl() {
    return baseUrl;
  }

  /** {@inheritDoc} */
  @Override
  public ServiceInfo serviceInfo() {
    return transport.send(routes.serviceInfo());
  }

  /**
   * Submits a task ({@code POST {base}/tasks}) and returns the id the server gave it.
   *
   * <p>CreateTask is not idempotent, so it is retried only when the request certainly did not reach
   * the server (connection refused, connect timeout) or the server answered 429 or 503, refusing to
   * process it. After a request timeout, a 502 or 504, or a connection broken after sending, it is
   * not sent again, because the task may have been created and a retry would create a second one;
   * the exception says so. The task is sent as it is: the server validates it.
   *
   * @throws io.tes4j.api.InvalidTaskException when the server rejects the task (400 or 422)
   */
  @Override
  public String createTask(Task task) {
    return transport.send(routes.createTask(task));
  }

  /**
   * Fetches a task ({@code GET {base}/tasks/{id}?view=...}). A {@code null} view sends MINIMAL, the
   * spec's default.
   *
   * @throws io.tes4j.api.TaskNotFoundException when the server answers 404
   * @throws IllegalArgumentException when {@code id} is empty
   */
  @Override
  public Task getTask(String id, View view) {
    return transport.send(routes.getTask(id, view));
  }

  /**
   * One page of tasks ({@code GET {base}/tasks}). Tag filters are sent as {@code tag_key} and
   * {@code tag_value} pairs; a {@code null} view sends MINIMAL, the spec's default.
   */
  @Override
  public ListTasksResponse listTasks(ListTasksRequest request) {
    return transport.send(routes.listTasks(request));
  }

  /**
   * Asks the server to cancel a task ({@code POST {base}/tasks/{id}:cancel}).
   *
   * @throws io.tes4j.api.TaskNotFoundException when the server answers 404
   * @throws IllegalArgumentException when {@code id} is empty
   */
  @Override
  public void cancelTask(String id) {
    transport.send(routes.cancelTask(id));
  }

  /**
   * The non-blocking view of this client: calls use {@link HttpClient#sendAsync}, retries are
   * scheduled instead of slept, and {@code await} holds no thread between polls. Its futures fail
   * with the same exceptions the blocking calls throw.
   */
  @Override
  public TesAsyncClient async() {
    return async;
  }

  /**
   * Refuses further calls and ends the retry and polling thread; pending asynchronous calls fail.
   * The {@link HttpClient}, which may be shared through {@link #newBuilder()}, has no close on Java
   * 17: its threads end when it is no longer used.
   */
  @Override
  public void close() {
    transport.close();
  }

  /** The base URL and the kind of auth, never a credential. */
  @Override
  public String toString() {
    return "TesHttpClient[" + baseUrl + ", auth=" + auth.kind() + "]";
  }

  /**
   * Builds {@link TesHttpClient}s. Not thread-safe. Every check happens in {@link #build()}, which
   * throws an {@link IllegalArgumentException} saying what to fix.
   */
  public static final class Builder {
    private URI baseUrl;
    private String baseUrlText;
    private TesAuth auth;
    // Keyed by the lower-case name, so that header("x-a", ..) replaces header("X-A", ..).
    private final Map<String, Map.Entry<String, String>> headers = new LinkedHashMap<>();
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private RetrySettings retry = RetrySettings.defaults();
    private String userAgent = "tes4j/" + Version.get();
    private HttpClient sharedHttpClient;
    private Duration sharedConnectTimeout;

    private Builder() {}

    /**
     * The base URL, e.g. {@code http://localhost:8000/ga4gh/tes/v1}; see {@link TesHttpClient} for
     * how it is completed. {@code user:password@} in it means HTTP Basic auth.
     */
    public Builder baseUrl(URI baseUrl) {
      this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
      this.baseUrlText = null;
      return this;
    }

    /** As {@link #baseUrl(URI)}; the text is checked by {@link #build()}. */
    public Builder baseUrl(String baseUrl) {
      this.baseUrlText = Objects.requireNonNull(baseUrl, "baseUrl");
      this.baseUrl = null;
      return this;
    }

    /** How to authenticate; {@link TesAuth#none()} by default. */
    public Builder auth(TesAuth auth) {
      this.auth = Objects.requireNonNull(auth, "auth");
      return this;
    }

    /**
     * A header sent on every request, e.g. an API gateway key; replaces an earlier value of the
     * same name. {@code Accept}, {@code Content-Type} and {@code User-Agent} are set by the client
     * (see {@link #userAgent}); {@code Authorization} only when {@link #auth} is not set. Values
     * are never shown by {@code toString()}.
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      String key = name.toLowerCase(Locale.ROOT);
      headers.remove(key); // so that the new value goes to the end, in the order of the calls
      headers.put(key, Map.entry(name, value));
      return this;
    }

    /** How long opening a connection may take; 10 s by default. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * How long each request may wait for its answer, per attempt; 60 s by default. When it passes,
     * the call fails with a {@link io.tes4j.api.TesTimeoutException} (after retries, see {@link
     * RetrySettings}).
     */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
      return this;
    }

    /** When to repeat failed calls; {@link RetrySettings#defaults()} by default. */
    public Builder retry(RetrySettings retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /** The {@code User-Agent} header; {@code tes4j/<version>} by default. */
    public Builder userAgent(String userAgent) {
      this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
      return this;
    }

    /**
     * A client with these settings.
     *
     * @throws IllegalArgumentException when there is no base URL, it is not http or https, a
     *     timeout is not positive, or a header or the user agent is not allowed
     */
    public TesHttpClient build() {
      BaseUrl base = parseBaseUrl();
      TesAuth effectiveAuth = auth == null ? TesAuth.none() : auth;
      if (base.hasCredentials()) {
        if (auth != null && !auth.isNone()) {
          throw new IllegalArgumentException(
              "the base URL holds credentials (user:password@) and auth(...) is also set: use one"
                  + " of them");
        }
        effectiveAuth = TesAuth.basic(base.user(), base.password());
      }
      requirePositive("connectTimeout", connectTimeout);
      requirePositive("requestTimeout", requestTimeout);
      if (userAgent.isBlank() || !isHeaderSafe(userAgent)) {
        throw new IllegalArgumentException("userAgent must be non-blank text without line breaks");
      }
      for (Map.Entry<String, String> header : headers.values()) {
        checkHeader(header.getKey(), header.getValue(), effectiveAuth);
      }
      HttpClient http =
          sharedHttpClient != null && connectTimeout.equals(sharedConnectTimeout)
              ? sharedHttpClient
              : HttpClient.newBuilder()
                  .connectTimeout(connectTimeout)
                  .followRedirects(HttpClient.Redirect.NEVER)
                  .build();
      return new TesHttpClient(this, base, effectiveAuth, http);
    }

    private BaseUrl parseBaseUrl() {
      if (baseUrl == null && baseUrlText == null) {
        throw new IllegalArgumentException(
            "no base URL: call baseUrl(...), e.g. baseUrl(\"http://localhost:8000/ga4gh/tes/v1\")");
      }
      return baseUrl != null ? BaseUrl.of(baseUrl) : BaseUrl.parse(baseUrlText);
    }

    private static void requirePositive(String name, Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
    }

    private static void checkHeader(String name, String value, TesAuth auth) {
      if (name.isEmpty() || !name.chars().allMatch(Builder::isTokenChar)) {
        throw new IllegalArgumentException("invalid header name '" + name + "'");
      }
      String lower = name.toLowerCase(Locale.ROOT);
      if (OWN_HEADERS.contains(lower)) {
        throw new IllegalArgumentException(
            "the header "
                + name
                + " is set by the client"
                + (lower.equals("user-agent") ? ": use userAgent(...)" : ""));
      }
      if (lower.equals("authorization") && !auth.isNone()) {
        throw new IllegalArgumentException(
            "an Authorization header and auth(...) (or user:password@ in the base URL) are both"
                + " set: use one of them");
      }
      if (Set.of("connection", "content-length", "expect", "host", "upgrade").contains(lower)) {
        throw new IllegalArgumentException(
            "the header " + name + " is managed by the HTTP client and cannot be set");
      }
      if (!isHeaderSafe(value)) {
        // The value is left out of the message: it may be a secret.
        throw new IllegalArgumentException(
            "the value of the header " + name + " holds a line break or control character");
      }
    }

    private static boolean isTokenChar(int c) {
      return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    private static boolean isHeaderSafe(String value) {
      return value.chars().allMatch(c -> (c >= 0x20 && c != 0x7f) || c == '\t');
    }

    /** The settings, with the password of the base URL and header values masked. */
    @Override
    public String toString() {
      String url =
          baseUrl != null
              ? BaseUrl.redact(baseUrl)
              : baseUrlText != null ? redactText(baseUrlText) : "none";
      return "TesHttpClient.Builder[baseUrl="
          + url
          + ", auth="
          + (auth == null ? TesAuth.none() : auth)
          + ", headers="
          + headers.values().stream()
              .map(h -> h.getKey() + "=****")
              .collect(Collectors.joining(", ", "{", "}"))
          + ", connectTimeout="
          + connectTimeout
          + ", requestTimeout="
          + requestTimeout
          + ", retry="
          + retry
          + ", userAgent="
          + userAgent
          + "]";
    }

    private static String redactText(String text) {
      try {
        return BaseUrl.redact(new URI(text.strip()));
      } catch (java.net.URISyntaxException e) {
        // Unparseable text may still hold a password: show nothing of it.
        return "(invalid URL)";
      }
    }
  }
}
