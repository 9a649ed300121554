package io.tes4j.backend.pulsar.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import io.tes4j.api.BackendException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulsar's REST API, as its fact sheet describes it (the routes of {@code pulsar/web/routes.py}):
 * every parameter in the query string, the {@code private_token} too (Pulsar takes no header);
 * upload bodies raw, with a fixed length; JSON answers parsed whatever their content type ({@code
 * text/html}); an empty or dropped answer and a 500 treated alike, as a failure worth retrying.
 * Thread-safe.
 *
 * <p>Every call is retried with back-off ({@link Retry}) when it failed in a way that may pass: no
 * connection, a dropped connection, a timeout, a 5xx. Each of Pulsar's routes may be repeated
 * without harm: a repeated setup does not reset a job, a second submit of a job is ignored, cancel
 * and clean of an unknown job answer OK. A 401 (wrong {@code private_token}) or a 404 fails at
 * once. Messages never hold the token: they name the route, not the URL.
 */
public final class PulsarClient {
  private static final Logger LOG = LoggerFactory.getLogger(PulsarClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * How calls are retried.
   *
   * @param maxAttempts attempts per call, at least 1
   * @param initialBackoff the wait after the first failure, doubled after each next one
   * @param maxBackoff the longest wait
   */
  public record Retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    /** Checks the values. */
    public Retry {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
      }
      Objects.requireNonNull(initialBackoff, "initialBackoff");
      Objects.requireNonNull(maxBackoff, "maxBackoff");
    }
  }

  private final URI base;
  private final String managerPrefix;
  private final String privateToken;
  private final Duration requestTimeout;
  private final Retry retry;
  private final HttpClient http;
  private final String description;
  private final LongAdder calls = new LongAdder();

  /**
   * @param base the Pulsar server's URL, e.g. {@code http://pulsar:8913/} (its path kept)
   * @param manager the job manager's name; {@code _default_} uses the bare routes
   * @param privateToken the server's {@code private_token}, or {@code null} when it has none
   * @param requestTimeout how long one request may take
   * @param retry how failed calls are retried
   * @param http the HTTP client (its connect timeout applies)
   */
  public PulsarClient(
      URI base, String manager, String privateToken, Duration requestTimeout, Retry retry, HttpClient http) {
    String text = base.toString();
    this.base = URI.create(text.endsWith("/") ? text : text + "/");
    this.managerPrefix = manager == null || manager.equals("_default_") ? "" : "managers/" + encode(manager) + "/";
    this.privateToken = privateToken == null || privateToken.isEmpty() ? null : privateToken;
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    this.retry = Objects.requireNonNull(retry, "retry");
    this.http = Objects.requireNonNull(http, "http");
    this.description = "Pulsar " + this.base.getScheme() + "://" + this.base.getHost()
        + (this.base.getPort() >= 0 ? ":" + this.base.getPort() : "") + this.base.getPath()
        + (managerPrefix.isEmpty() ? "" : " (manager " + manager + ")");
  }

  /** The server and manager, for messages: never the token. */
  public String description() {
    return description;
  }

  /** How many HTTP requests this client sent, retries included. */
  public long calls() {
    return calls.sum();
  }

  // -----------------------------------------------------------------------------------------------
  // The routes.

  /**
   * Sets up job {@code jobId} ({@code POST /jobs?job_id=}): Pulsar makes its directories and
   * answers where they are. The answer's {@code job_id} is the one to use from then on: a server
   * with {@code assign_ids: uuid} replaces ours.
   */
  public JobLayout setup(String jobId) {
    JsonNode config = json("setup of job " + jobId, "POST", "jobs", Map.of("job_id", jobId), null);
    String id = text(config, "job_id", jobId);
    String jobDirectory = required(config, "job_directory", "setup of job " + jobId);
    return new JobLayout(
        id,
        jobDirectory,
        text(config, "inputs_directory", jobDirectory + "/inputs"),
        text(config, "outputs_directory", jobDirectory + "/outputs"),
        text(config, "metadata_directory", jobDirectory + "/metadata"),
        text(config, "working_directory", jobDirectory + "/working"));
  }

  /** Uploads {@code content} as the job's file {@code name} of {@code type} ({@code input}, {@code metadata}...). */
  public void upload(String jobId, String name, String type, byte[] content) {
    json("upload of " + type + " " + name + " of job " + jobId, "POST", "jobs/" + encode(jobId) + "/files",
        Map.of("name", name, "type", type), () -> HttpRequest.BodyPublishers.ofByteArray(content));
  }

  /** Uploads the file {@code source} as the job's file {@code name} of {@code type}, with its length set. */
  public void upload(String jobId, String name, String type, Path source) {
    json("upload of " + type + " " + name + " of job " + jobId, "POST", "jobs/" + encode(jobId) + "/files",
        Map.of("name", name, "type", type), () -> {
          try {
            return HttpRequest.BodyPublishers.ofFile(source);
          } catch (IOException e) {
            throw new BackendException("cannot read " + source + " to upload it: " + e, e, false);
          }
        });
  }

  /**
   * Submits the job ({@code POST /jobs/{id}/submit?command_line=}). A job submitted twice runs
   * once: Pulsar ignores the second submit.
   *
   * @param setupParams when not null, Pulsar sets the job up inside this submit (for a job never
   *     set up with {@link #setup}), as {@code {"job_id": ...}}
   * @param remoteStaging Pulsar's {@code remote_staging} (what it stages itself), or null
   */
  public void submit(String jobId, String commandLine, Map<String, Object> setupParams, JsonNode remoteStaging) {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("command_line", commandLine);
    try {
      if (setupParams != null) {
        query.put("setup_params", JSON.writeValueAsString(setupParams));
      }
      if (remoteStaging != null) {
        query.put("remote_staging", JSON.writeValueAsString(remoteStaging));
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    call("submit of job " + jobId, "POST", "jobs/" + encode(jobId) + "/submit", query, null, ok());
  }

  /** The job's status ({@code GET /jobs/{id}/status}); {@code lost} for a job Pulsar does not know. */
  public PulsarStatus status(String jobId) {
    return PulsarStatus.of(json("status of job " + jobId, "GET", "jobs/" + encode(jobId) + "/status", Map.of(), null));
  }

  /** Asks Pulsar to kill the job ({@code PUT /jobs/{id}/cancel}); a no-op while it is preprocessing. */
  public void cancel(String jobId) {
    call("cancel of job " + jobId, "PUT", "jobs/" + encode(jobId) + "/cancel", Map.of(), null, ok());
  }

  /** Removes the job's directory ({@code DELETE /jobs/{id}}); kills nothing. */
  public void clean(String jobId) {
    call("clean of job " + jobId, "DELETE", "jobs/" + encode(jobId), Map.of(), null, ok());
  }

  /**
   * Downloads the job's file {@code name} of {@code type} ({@code output}, {@code output_metadata})
   * into {@code target}, replacing it. Pulsar answers a missing file with a 500, as any failure.
   */
  public void download(String jobId, String name, String type, Path target) {
    call("download of " + type + " " + name + " of job " + jobId, "GET", "jobs/" + encode(jobId) + "/files",
        Map.of("name", name, "type", type), null, response -> {
          Path partial = target.resolveSibling(target.getFileName() + ".part");
          try (InputStream body = response) {
            Files.createDirectories(target.getParent());
            Files.copy(body, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
          }
          return null;
        });
  }

  /** Downloads a small file of the job into memory. */
  public byte[] download(String jobId, String name, String type) {
    return call("download of " + type + " " + name + " of job " + jobId, "GET", "jobs/" + encode(jobId) + "/files",
        Map.of("name", name, "type", type), null, InputStream::readAllBytes);
  }

  /**
   * A small file of the job, if it is there: one attempt, not retried, since Pulsar answers a
   * missing file as any failure (500), and a probe for a file that is not there yet is the common
   * case. Empty when the file is missing or the request failed in any way.
   */
  public Optional<byte[]> probe(String jobId, String name, String type) {
    try {
      return Optional.of(once("probe of " + type + " " + name + " of job " + jobId, "GET",
          "jobs/" + encode(jobId) + "/files", Map.of("name", name, "type", type), null, InputStream::readAllBytes));
    } catch (BackendException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Pulsar's version ({@code GET /healthz}), e.g. {@code 0.15.16.dev0}. */
  public String version() {
    return text(json("health check", "GET", "healthz", Map.of(), null), "version", "unknown");
  }

  // -----------------------------------------------------------------------------------------------
  // HTTP.

  private interface Body<T> {
    T read(InputStream body) throws IOException;
  }

  private static Body<Void> ok() {
    return body -> {
      body.readAllBytes(); // "OK"; read so the connection is reused
      return null;
    };
  }

  private JsonNode json(
      String what, String method, String route, Map<String, String> query, Supplier<HttpRequest.BodyPublisher> body) {
    return call(what, method, route, query, body, in -> {
      byte[] bytes = in.readAllBytes();
      if (bytes.length == 0) {
        throw new BackendException(what + " at " + description + ": an empty answer", null, true);
      }
      try {
        return JSON.readTree(bytes);
      } catch (IOException e) {
        throw new BackendException(what + " at " + description + ": the answer is not JSON: "
            + new String(bytes, 0, Math.min(bytes.length, 200), StandardCharsets.UTF_8), e, true);
      }
    });
  }

  private <T> T call(
      String what,
      String method,
      String route,
      Map<String, String> query,
      Supplier<HttpRequest.BodyPublisher> body,
      Body<T> reader) {
    RetryPolicyBuilder<T> policy = RetryPolicy.<T>builder()
        .handleIf((Throwable failure) -> failure instanceof BackendException b && b.retryable())
        .withMaxAttempts(retry.maxAttempts())
        .onRetryScheduled(event -> LOG.debug("{} failed (attempt {} of {}), again in {} ms: {}", what,
            event.getAttemptCount(), retry.maxAttempts(), event.getDelay().toMillis(),
            String.valueOf(event.getLastException())));
    if (retry.initialBackoff().compareTo(retry.maxBackoff()) < 0) {
      policy.withBackoff(retry.initialBackoff(), retry.maxBackoff()).withJitter(0.25);
    } else {
      policy.withDelay(retry.maxBackoff());
    }
    try {
      return Failsafe.with(policy.build()).get(() -> once(what, method, route, query, body, reader));
    } catch (FailsafeException e) {
      Throwable cause = e.getCause();
      if (cause instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        throw new BackendException(what + " at " + description + " was interrupted", cause, true);
      }
      throw new BackendException(what + " at " + description + " failed: " + cause, cause, true);
    }
  }

  private <T> T once(
      String what,
      String method,
      String route,
      Map<String, String> query,
      Supplier<HttpRequest.BodyPublisher> body,
      Body<T> reader) throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(base.resolve(managerPrefix + route + queryString(query)))
        .timeout(requestTimeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body.get())
        .build();
    calls.increment();
    HttpResponse<InputStream> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      // Pulsar under gunicorn closes the socket without an answer when a handler raised an OSError.
      throw new BackendException(what + " at " + description + ": no answer (" + e + ")", e, true);
    }
    int status = response.statusCode();
    if (status / 100 != 2) {
      String excerpt = excerpt(response.body());
      if (privateToken != null) {
        excerpt = excerpt.replace(privateToken, "***").replace(encode(privateToken), "***");
      }
      boolean retryable = status >= 500 || status == 408 || status == 429;
      String reason = switch (status) {
        case 401 -> "401: the server refused the private_token (set the URI's private_token to the server's)";
        case 404 -> "404: no such route (is the URL Pulsar's, and the manager's name right?)";
        default -> "HTTP " + status + (excerpt.isEmpty() ? "" : ": " + excerpt);
      };
      throw new BackendException(what + " at " + description + ": " + reason, null, retryable);
    }
    try {
      return reader.read(response.body());
    } catch (IOException e) {
      throw new BackendException(what + " at " + description + ": the answer broke off (" + e + ")", e, true);
    }
  }

  private String queryString(Map<String, String> query) {
    List<String> pairs = new ArrayList<>();
    for (Map.Entry<String, String> e : query.entrySet()) {
      pairs.add(encode(e.getKey()) + "=" + encode(e.getValue()));
    }
    if (privateToken != null) {
      pairs.add("private_token=" + encode(privateToken));
    }
    return pairs.isEmpty() ? "" : "?" + String.join("&", pairs);
  }

  /** The start of an error page, as one line of text without markup; never the request's URL. */
  private static String excerpt(InputStream body) {
    try (InputStream in = body) {
      byte[] bytes = in.readNBytes(2048);
      String text = new String(bytes, StandardCharsets.UTF_8).replaceAll("<[^>]*>", " ").replaceAll("\\s+", " ").strip();
      return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    } catch (IOException e) {
      return "";
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String text(JsonNode node, String field, String otherwise) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? otherwise : value.asText();
  }

  private String required(JsonNode node, String field, String what) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull() || value.asText().isEmpty()) {
      throw new BackendException(what + " at " + description + ": the answer has no " + field, null, false);
    }
    return value.asText();
  }
}
