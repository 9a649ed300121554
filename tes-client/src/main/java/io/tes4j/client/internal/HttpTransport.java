package io.tes4j.client.internal;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.tes4j.api.TesClientException;
import io.tes4j.api.TesException;
import io.tes4j.api.internal.Durations;
import io.tes4j.client.RetrySettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@link HttpCall}s, blocking or not, with the retry rules of {@link RetrySettings}, the
 * one-time token refresh after a 401, and the mapping of failures to {@link TesException}s.
 * Thread-safe. Internal.
 *
 * <p>Logs at DEBUG: method, URL, status or failure, attempt. Never headers, never bodies.
 */
public final class HttpTransport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("io.tes4j.client.TesHttpClient");
  private static final int[] RETRYABLE_STATUSES = {429, 502, 503, 504};
  // 503 and 429 say the server refused to process the request, so even a CreateTask is safe to
  // resend; 502 and 504 come from a proxy that may have passed the request on.
  private static final int[] RETRYABLE_STATUSES_NOT_IDEMPOTENT = {429, 503};

  private final HttpClient http;
  private final URI baseUrl;
  private final Authorization authorization;
  private final List<Map.Entry<String, String>> extraHeaders;
  private final Duration requestTimeout;
  private final String userAgent;
  private final RetrySettings retry;
  private final HttpClient.Version version;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * A transport for one client; it owns a scheduler thread (started on first use) until {@link
   * #close()}.
   *
   * @param http the JDK client, possibly shared with other transports
   * @param baseUrl the normalized base URL, named in connection errors
   * @param authorization the {@code Authorization} header source
   * @param extraHeaders headers sent on every request, in order
   * @param requestTimeout the timeout of each attempt
   * @param userAgent the {@code User-Agent} header
   * @param retry when and how often to retry
   */
  public HttpTransport(
      HttpClient http,
      URI baseUrl,
      Authorization authorization,
      List<Map.Entry<String, String>> extraHeaders,
      Duration requestTimeout,
      String userAgent,
      RetrySettings retry) {
    this.http = http;
    this.baseUrl = baseUrl;
    this.authorization = authorization;
    this.extraHeaders = List.copyOf(extraHeaders);
    this.requestTimeout = requestTimeout;
    this.userAgent = userAgent;
    this.retry = retry;
    // Plain-text HTTP/2 starts with an "Upgrade: h2c" request that some Python TES servers
    // mishandle; over TLS, HTTP/2 is negotiated safely and is worth having.
    this.version =
        baseUrl.getScheme().equals("https")
            ? HttpClient.Version.HTTP_2
            : HttpClient.Version.HTTP_1_1;
    this.scheduler = newScheduler();
    this.clock = Clock.systemUTC();
  }

  private static ScheduledExecutorService newScheduler() {
    AtomicInteger count = new AtomicInteger();
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "tes4j-http-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    // The thread exists only while calls are retrying or tasks awaited, so an idle client holds
    // none.
    executor.setKeepAliveTime(30, TimeUnit.SECONDS);
    executor.allowCoreThreadTimeOut(true);
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }

  /** The HTTP client, shared with clients derived through {@code newBuilder()}. */
  public HttpClient httpClient() {
    return http;
  }

  /**
   * Runs polls of an asynchronous await on this client's thread; after {@link #close()}, in the
   * calling thread, so that the poll runs, fails with "client is closed" and ends the await instead
   * of leaving it pending forever.
   */
  public Executor pollingExecutor() {
    return command -> {
      try {
        scheduler.execute(command);
      } catch (RejectedExecutionException shutDown) {
        command.run();
      }
    };
  }

  /** Sends {@code call}, retrying as allowed, and returns its result. */
  public <T> T send(HttpCall<T> call) {
    CallState state = new CallState();
    Answer answer;
    try {
      answer =
          Failsafe.with(List.of(retryPolicy(call, state))).get(context -> attempt(call, state));
    } catch (FailsafeException e) {
      // Failsafe wraps checked exceptions (IOException, InterruptedException while waiting).
      if (e.getCause() instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw TransportFailures.toException(
          call, e.getCause(), baseUrl, requestTimeout, state.attempts.get());
    } catch (TesException e) {
      throw e;
    } catch (RuntimeException e) {
      throw TransportFailures.toException(call, e, baseUrl, requestTimeout, state.attempts.get());
    }
    return finish(call, answer, state);
  }

  /**
   * Sends {@code call} without blocking. The future fails with the exception {@link #send} would
   * throw; cancelling it stops any further retry.
   */
  public <T> CompletableFuture<T> sendAsync(HttpCall<T> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    if (closed.get()) {
      result.completeExceptionally(closedException());
      return result;
    }
    CallState state = new CallState();
    CompletableFuture<Answer> answers;
    try {
      answers =
          Failsafe.with(List.of(retryPolicy(call, state)))
              .with(scheduler)
              .getStageAsync(context -> attemptAsync(call, state));
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(closedException());
      return result;
    }
    answers.whenComplete(
        (answer, failure) -> {
          if (failure != null) {
            result.completeExceptionally(
                closed.get()
                        && TransportFailures.unwrap(failure) instanceof RejectedExecutionException
                    ? closedException()
                    : TransportFailures.toException(
                        call, failure, baseUrl, requestTimeout, state.attempts.get()));
            return;
          }
          try {
            result.complete(finish(call, answer, state));
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    result.whenComplete(
        (value, failure) -> {
          if (result.isCancelled()) {
            answers.cancel(true);
          }
        });
    return result;
  }

  /** Refuses further calls and ends the retry thread. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      // shutdown(), not shutdownNow(): retries already scheduled still run, fail with "closed",
      // and so complete their futures instead of leaving them pending.
      scheduler.shutdown();
      LOG.debug("closed the client for {}", baseUrl);
    }
  }

  /** The per-call state shared by its attempts. */
  private static final class CallState {
    final AtomicInteger attempts = new AtomicInteger();
    volatile boolean tokenRefreshed;
  }

  private RetryPolicy<Answer> retryPolicy(HttpCall<?> call, CallState state) {
    return RetryPolicy.<Answer>builder()
        .handleIf((answer, failure) -> shouldRetry(call, answer, failure))
        .withMaxAttempts(retry.maxAttempts())
        .withDelayFn(context -> delayBefore(context.getAttemptCount(), context.getLastResult()))
        .onRetryScheduled(
            event ->
                LOG.debug(
                    "{} will be sent again in {} (attempt {} of {}) after {}",
                    call.describe(),
                    Durations.format(event.getDelay()),
                    state.attempts.get() + 1,
                    retry.maxAttempts(),
                    event.getLastException() != null
                        ? event.getLastException().getClass().getSimpleName()
                        : "status " + event.getLastResult().status()))
        .build();
  }

  private static boolean shouldRetry(HttpCall<?> call, Answer answer, Throwable failure) {
    if (failure != null) {
      return TransportFailures.retryable(failure, call.idempotent());
    }
    int[] statuses = call.idempotent() ? RETRYABLE_STATUSES : RETRYABLE_STATUSES_NOT_IDEMPOTENT;
    for (int status : statuses) {
      if (answer.status() == status) {
        return true;
      }
    }
    return false;
  }

  /**
   * The delay after failed attempt {@code attempt}: the answer's {@code Retry-After} if it has one,
   * else exponential back-off; both capped at {@code maxDelay}. The back-off is shortened by up to
   * {@code jitterFactor} of itself, never lengthened, so {@code maxDelay} holds.
   */
  Duration delayBefore(int attempt, Answer lastAnswer) {
    long maxNanos = retry.maxDelay().toNanos();
    if (lastAnswer != null) {
      var asked = lastAnswer.retryAfter(clock);
      if (asked.isPresent()) {
        return Duration.ofNanos(Math.min(asked.get().toNanos(), maxNanos));
      }
    }
    long nanos = retry.initialDelay().toNanos();
    for (int i = 1; i < attempt && nanos < maxNanos; i++) {
      nanos = nanos > maxNanos / 2 ? maxNanos : nanos * 2;
    }
    nanos = Math.min(nanos, maxNanos);
    double jitter = retry.jitterFactor() * ThreadLocalRandom.current().nextDouble();
    return Duration.ofNanos((long) (nanos * (1.0 - jitter)));
  }

  private Answer attempt(HttpCall<?> call, CallState state) throws IOException {
    ensureOpen();
    int attempt = state.attempts.incrementAndGet();
    String credentials = authorization.header();
    Answer answer = exchange(call, credentials, attempt);
    if (answer.status() == 401 && !state.tokenRefreshed) {
      String fresh = authorization.refreshAfterRejection(credentials);
      if (fresh != null) {
        state.tokenRefreshed = true;
        LOG.debug("{} answered 401: sending it again with a fresh token", call.describe());
        answer = exchange(call, fresh, attempt);
      }
    }
    return answer;
  }

  private Answer exchange(HttpCall<?> call, String credentials, int attempt) throws IOException {
    long start = System.nanoTime();
    try {
      HttpResponse<byte[]> response =
          http.send(request(call, credentials), HttpResponse.BodyHandlers.ofByteArray());
      return received(call, response, attempt, start);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TesClientException("interrupted during " + call.describe(), e, false);
    } catch (IOException e) {
      logFailure(call, e, attempt, start);
      throw e;
    }
  }

  private CompletableFuture<Answer> attemptAsync(HttpCall<?> call, CallState state) {
    ensureOpen();
    int attempt = state.attempts.incrementAndGet();
    String credentials = authorization.header();
    return exchangeAsync(call, credentials, attempt)
        .thenCompose(
            answer -> {
              if (answer.status() == 401 && !state.tokenRefreshed) {
                String fresh = authorization.refreshAfterRejection(credentials);
                if (fresh != null) {
                  state.tokenRefreshed = true;
                  LOG.debug(
                      "{} answered 401: sending it again with a fresh token", call.describe());
                  return exchangeAsync(call, fresh, attempt);
                }
              }
              return CompletableFuture.completedFuture(answer);
            });
  }

  private CompletableFuture<Answer> exchangeAsync(
      HttpCall<?> call, String credentials, int attempt) {
    long start = System.nanoTime();
    return http.sendAsync(request(call, credentials), HttpResponse.BodyHandlers.ofByteArray())
        .handle(
            (response, failure) -> {
              if (failure != null) {
                Throwable cause = TransportFailures.unwrap(failure);
                logFailure(call, cause, attempt, start);
                // Rethrown unwrapped, so that the retry rules see the IOException itself.
                throw new CompletionException(cause);
              }
              return received(call, response, attempt, start);
            });
  }

  private Answer received(
      HttpCall<?> call, HttpResponse<byte[]> response, int attempt, long start) {
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "{} -> {} ({} ms, attempt {})",
          call.describe(),
          response.statusCode(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
          attempt);
    }
    return new Answer(call, response.statusCode(), response.headers(), response.body());
  }

  private void logFailure(HttpCall<?> call, Throwable failure, int attempt, long start) {
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "{} failed after {} ms (attempt {}): {}",
          call.describe(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
          attempt,
          failure.getClass().getSimpleName());
    }
  }

  private HttpRequest request(HttpCall<?> call, String credentials) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(call.uri())
            .version(version)
            .timeout(requestTimeout)
            .header("Accept", "application/json")
            .header("User-Agent", userAgent);
    for (Map.Entry<String, String> header : extraHeaders) {
      builder.header(header.getKey(), header.getValue());
    }
    if (credentials != null) {
      builder.header("Authorization", credentials);
    }
    if (call.body() != null) {
      builder.header("Content-Type", "application/json");
      builder.method(call.method(), HttpRequest.BodyPublishers.ofByteArray(call.body()));
    } else {
      builder.method(call.method(), HttpRequest.BodyPublishers.noBody());
    }
    return builder.build();
  }

  private <T> T finish(HttpCall<T> call, Answer answer, CallState state) {
    if (answer.isSuccess()) {
      return call.reader().read(answer);
    }
    throw ErrorAnswers.toException(answer, state.attempts.get(), state.tokenRefreshed);
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw closedException();
    }
  }

  private TesClientException closedException() {
    return new TesClientException("the TES client for " + baseUrl + " is closed");
  }
}
