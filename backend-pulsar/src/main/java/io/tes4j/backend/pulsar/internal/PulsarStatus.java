package io.tes4j.backend.pulsar.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One answer of {@code GET /jobs/{id}/status}. Pulsar sends {@code complete} as the string {@code
 * "true"} or {@code "false"}, and the job's own streams as {@code job_stdout}/{@code job_stderr}
 * since 0.15 ({@code stdout}/{@code stderr} before), which {@link #jobStdout()} reads in that order.
 *
 * @param jobId the job
 * @param status {@code preprocessing}, {@code queued}, {@code running}, {@code postprocessing},
 *     {@code complete}, {@code failed}, {@code cancelled} or {@code lost} (lower case)
 * @param complete whether the job ended (Pulsar's {@code complete})
 * @param returnCode the job's exit status, or {@code null} when unknown
 * @param jobStdout the job script's standard output (truncated by Pulsar), or empty
 * @param jobStderr its standard error, or empty
 * @param metadataContents the files of the job's {@code metadata/}, relative, recursive
 * @param outputsContents the files of the job's {@code outputs/}, relative, recursive
 * @param pulsarVersion the server's version, or empty
 */
public record PulsarStatus(
    String jobId,
    String status,
    boolean complete,
    Integer returnCode,
    String jobStdout,
    String jobStderr,
    List<String> metadataContents,
    List<String> outputsContents,
    String pulsarVersion) {

  /** Copies the lists. */
  public PulsarStatus {
    metadataContents = List.copyOf(metadataContents);
    outputsContents = List.copyOf(outputsContents);
  }

  /** Reads Pulsar's answer. */
  static PulsarStatus of(JsonNode answer) {
    String status = text(answer, "status").toLowerCase(Locale.ROOT);
    JsonNode complete = answer.get("complete");
    boolean done = complete != null && (complete.isBoolean() ? complete.asBoolean() : "true".equalsIgnoreCase(complete.asText()));
    JsonNode rc = answer.get("returncode");
    Integer returnCode = rc == null || rc.isNull() || !rc.canConvertToInt() && !rc.isTextual() ? null : parse(rc);
    String stdout = answer.has("job_stdout") ? text(answer, "job_stdout") : text(answer, "stdout");
    String stderr = answer.has("job_stderr") ? text(answer, "job_stderr") : text(answer, "stderr");
    return new PulsarStatus(
        text(answer, "job_id"),
        status,
        done,
        returnCode,
        stdout,
        stderr,
        list(answer.get("metadata_directory_contents")),
        list(answer.get("outputs_directory_contents")),
        text(answer, "pulsar_version"));
  }

  /** Whether the job ended: Pulsar says complete, or the status is one of the terminal ones. */
  public boolean ended() {
    return complete || switch (status) {
      case "complete", "failed", "cancelled", "lost" -> true;
      default -> false;
    };
  }

  private static Integer parse(JsonNode rc) {
    if (rc.canConvertToInt()) {
      return rc.asInt();
    }
    try {
      return Integer.valueOf(rc.asText().strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? "" : value.asText();
  }

  private static List<String> list(JsonNode array) {
    List<String> items = new ArrayList<>();
    if (array != null && array.isArray()) {
      array.forEach(item -> items.add(item.asText()));
    }
    return items;
  }
}
