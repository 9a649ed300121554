package io.tes4j.model;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tes4j.model.internal.Redact;

/**
 * One file a task uploaded ({@code tesOutputFileLog}). Directory and wildcard outputs are flattened
 * into one entry per file.
 *
 * <p>The spec codes {@code size_bytes} as a string (JSON has no int64); it is written as a string
 * and read from either a string or a number.
 *
 * @param url where the file was stored
 * @param path the absolute container path it came from
 * @param sizeBytes its size in bytes
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record OutputFileLog(
    @JsonProperty("url") String url,
    @JsonProperty("path") String path,
    @JsonProperty("size_bytes") @JsonAlias("sizeBytes") @JsonFormat(shape = JsonFormat.Shape.STRING)
        Long sizeBytes) {

  /** The URL's password and credential-like query values are masked. */
  @Override
  public String toString() {
    return "OutputFileLog[url=" + Redact.url(url) + ", path=" + path + ", sizeBytes=" + sizeBytes + "]";
  }

  /** The log of one uploaded file. */
  public static OutputFileLog of(String url, String path, long sizeBytes) {
    return new OutputFileLog(url, path, sizeBytes);
  }
}
