package io.tes4j.client.internal;

import java.net.URI;

/**
 * One TES operation as an HTTP request, and how to read its successful answer. Internal.
 *
 * @param method {@code GET} or {@code POST}
 * @param uri the full request URI
 * @param body the JSON body to send, or {@code null} for none
 * @param idempotent whether sending the request twice does no harm; CreateTask is the only call
 *     that is not, and is retried only when the server certainly did not process it
 * @param taskId the task a task route is about, so that a 404 means that task does not exist;
 *     {@code null} for the other routes, where a 404 means the base URL is wrong
 * @param reader turns a 2xx answer into the result
 * @param <T> the result type
 */
public record HttpCall<T>(
    String method,
    URI uri,
    byte[] body,
    boolean idempotent,
    String taskId,
    AnswerReader<T> reader) {

  /** Reads a 2xx answer. */
  @FunctionalInterface
  public interface AnswerReader<T> {
    /**
     * The result of a successful answer.
     *
     * @throws io.tes4j.api.TesClientException when the body is not what the operation returns
     */
    T read(Answer answer);
  }

  /** {@code METHOD uri}, for messages and logs. */
  public String describe() {
    return method + " " + uri;
  }
}
