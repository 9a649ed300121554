package io.tes4j.model;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tes4j.model.internal.Redact;

/**
 * A file, directory or set of files copied out of the containers after the executors ran
 * ({@code tesOutput}).
 *
 * <p>Since TES 1.1 {@code path} may hold POSIX wildcards ({@code *}, {@code ?}, {@code [...]}); then
 * {@code url} is a directory and {@code pathPrefix} is required: it is stripped from each matched
 * path and the rest is appended to {@code url}. For {@code path=/work/*.txt},
 * {@code path_prefix=/work} and {@code url=s3://b/out}, the file {@code /work/a.txt} goes to
 * {@code s3://b/out/a.txt}.
 *
 * <pre>{@code
 * Output log = Output.of("/out/run.log", "s3://bucket/logs/run.log");
 * Output all = Output.builder().path("/work/*.txt").pathPrefix("/work").url("s3://b/out").build();
 * }</pre>
 *
 * @param name a name given by the user
 * @param description free text
 * @param url where the output is stored (required)
 * @param path the absolute path inside the container, possibly with wildcards (required)
 * @param pathPrefix the prefix stripped from wildcard matches; only with wildcards
 * @param type FILE or DIRECTORY; optional since TES 1.1
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Output(
    @JsonProperty("name") String name,
    @JsonProperty("description") String description,
    @JsonProperty("url") String url,
    @JsonProperty("path") String path,
    @JsonProperty("path_prefix") @JsonAlias("pathPrefix") String pathPrefix,
    @JsonProperty("type") FileType type) {

  /** The URL's password and credential-like query values are masked. */
  @Override
  public String toString() {
    return "Output[name=" + name + ", description=" + description + ", url=" + Redact.url(url)
        + ", path=" + path + ", pathPrefix=" + pathPrefix + ", type=" + type + "]";
  }

  /** An output copied from the container path {@code path} to {@code url}. */
  public static Output of(String path, String url) {
    return builder().path(path).url(url).build();
  }

  /** A new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this output's values. */
  public Builder toBuilder() {
    return new Builder()
        .name(name)
        .description(description)
        .url(url)
        .path(path)
        .pathPrefix(pathPrefix)
        .type(type);
  }

  /** Builds {@link Output}s. Not thread-safe. */
  public static final class Builder {
    private String name;
    private String description;
    private String url;
    private String path;
    private String pathPrefix;
    private FileType type;

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

    public Builder pathPrefix(String pathPrefix) {
      this.pathPrefix = pathPrefix;
      return this;
    }

    public Builder type(FileType type) {
      this.type = type;
      return this;
    }

    public Output build() {
      return new Output(name, description, url, path, pathPrefix, type);
    }
  }
}
