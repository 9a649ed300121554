package io.tes4j.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tes4j.model.internal.Redact;

/**
 * A file or directory placed in the containers before the first executor runs ({@code tesInput}).
 * It comes either from a {@code url} or, for small files, from literal {@code content}; the spec
 * says that when {@code content} is set, {@code url} is ignored, and validation insists on exactly
 * one of them.
 *
 * <pre>{@code
 * Input data = Input.ofUrl("s3://bucket/reads.fq", "/in/reads.fq");
 * Input script = Input.ofContent("echo hi\n", "/in/run.sh");
 * }</pre>
 *
 * @param name a name given by the user
 * @param description free text
 * @param url where to fetch the input from ({@code s3://}, {@code https://}, {@code file:///}...)
 * @param path the absolute path inside the container (required)
 * @param type FILE or DIRECTORY; optional since TES 1.1
 * @param content literal UTF-8 content of the file; an empty string is an empty file
 * @param streamable a hint that the input may be streamed rather than downloaded
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Input(
    @JsonProperty("name") String name,
    @JsonProperty("description") String description,
    @JsonProperty("url") String url,
    @JsonProperty("path") String path,
    @JsonProperty("type") FileType type,
    @JsonProperty("content") String content,
    @JsonProperty("streamable") Boolean streamable) {

  /**
   * The URL's password and credential-like query values are masked, and the content is shown by
   * its length only (it may be large, or a secret file).
   */
  @Override
  public String toString() {
    return "Input[name=" + name + ", description=" + description + ", url=" + Redact.url(url)
        + ", path=" + path + ", type=" + type
        + ", content=" + (content == null ? null : "(" + content.length() + " chars)")
        + ", streamable=" + streamable + "]";
  }

  /** An input fetched from {@code url} to the container path {@code path}. */
  public static Input ofUrl(String url, String path) {
    return builder().url(url).path(path).build();
  }

  /** An input whose file, at the container path {@code path}, holds {@code content}. */
  public static Input ofContent(String content, String path) {
    return builder().content(content).path(path).build();
  }

  /** A new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this input's values. */
  public Builder toBuilder() {
    return new Builder()
        .name(name)
        .description(description)
        .url(url)
        .path(path)
        .type(type)
        .content(content)
        .streamable(streamable);
  }

  /** Builds {@link Input}s. Not thread-safe. */
  public static final class Builder {
    private String name;
    private String description;
    private String url;
    private String path;
    private FileType type;
    private String content;
    private Boolean streamable;

    private Builder() {}

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder description(String description) {
      this.description = description;
      return this;
    }

    public Builder url(String url) {
      this.url = url;
      return this;
    }

    public Builder path(String path) {
      this.path = path;
      return this;
    }

    public Builder type(FileType type) {
      this.type = type;
      return this;
    }

    public Builder content(String content) {
      this.content = content;
      return this;
    }

    public Builder streamable(Boolean streamable) {
      this.streamable = streamable;
      return this;
    }

    public Input build() {
      return new Input(name, description, url, path, type, content, streamable);
    }
  }
}
