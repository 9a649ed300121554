package io.tes4j.transfer;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * Where and how to reach S3 or an S3-compatible server (MinIO, Ceph, S3Proxy), and with which
 * keys. The keys are sent only to {@link #endpoint()}; {@code toString()} masks the secret and the
 * session token.
 *
 * <pre>{@code
 * S3Settings minio = S3Settings.builder()
 *     .endpoint(URI.create("http://127.0.0.1:9000")).accessKey("minio").secretKey("minio123")
 *     .region("us-east-1").pathStyle(true).build();
 * }</pre>
 *
 * @param endpoint the server, e.g. {@code https://s3.eu-west-1.amazonaws.com} or MinIO's URL;
 *     {@code null} means AWS in {@link #region()}
 * @param region the region; {@code us-east-1} when not set
 * @param accessKey the access key id, or {@code null} for anonymous access
 * @param secretKey the secret access key
 * @param sessionToken the session token of temporary credentials, or {@code null}
 * @param pathStyle {@code true} for {@code endpoint/bucket/key} addressing (MinIO and most
 *     S3-compatible servers), {@code false} for {@code bucket.endpoint/key}
 * @param payloadSigning whether uploads sign the SHA-256 of their bodies; {@link
 *     PayloadSigning#AUTO} when {@code null}
 */
public record S3Settings(
    URI endpoint,
    String region,
    String accessKey,
    String secretKey,
    String sessionToken,
    boolean pathStyle,
    PayloadSigning payloadSigning) {

  /** The region used when none is configured. */
  public static final String DEFAULT_REGION = "us-east-1";

  /**
   * The environment variable that sets {@link #payloadSigning()} in {@link #fromEnvironment}:
   * {@code auto}, {@code always} or {@code never}.
   */
  public static final String PAYLOAD_SIGNING_VARIABLE = "TES4J_S3_PAYLOAD_SIGNING";

  /**
   * Whether an upload's requests carry the SHA-256 of their body, signed with the secret key
   * ({@code x-amz-content-sha256}), or {@code UNSIGNED-PAYLOAD}, like the AWS CLI's {@code
   * payload_signing_enabled}. Every upload request also carries the body's MD5 ({@code
   * Content-MD5}) in every mode, which the server checks before it stores anything, so a body
   * damaged on the way is refused either way.
   *
   * <p>A signed payload also proves that the body is the one the key holder sent, which matters
   * where nothing else protects it: over plain {@code http}. It costs a SHA-256 of every byte,
   * computed before the request is sent, and the server computes it again. Over {@code https},
   * TLS already protects the body.
   */
  public enum PayloadSigning {
    /** Signed over {@code http}, {@code UNSIGNED-PAYLOAD} over {@code https}. The default. */
    AUTO,
    /** Always signed. */
    ALWAYS,
    /** Never signed: {@code UNSIGNED-PAYLOAD}, with {@code Content-MD5}, also over {@code http}. */
    NEVER;

    /**
     * The mode that {@code text} names, ignoring case: {@code auto}, {@code always} or {@code
     * never}; {@code true} and {@code false} are accepted for {@code always} and {@code never}.
     *
     * @throws IllegalArgumentException when it names none
     */
    public static PayloadSigning parse(String text) {
      String value = text == null ? "" : text.strip().toLowerCase(java.util.Locale.ROOT);
      return switch (value) {
        case "auto" -> AUTO;
        case "always", "true" -> ALWAYS;
        case "never", "false" -> NEVER;
        default -> throw new IllegalArgumentException(
            "S3 payload signing must be auto, always or never, was '" + text + "'");
      };
    }

    /** Whether uploads to an endpoint with this scheme ({@code http} or {@code https}) sign. */
    public boolean signsOver(String scheme) {
      return this == ALWAYS || (this == AUTO && !"https".equalsIgnoreCase(scheme));
    }
  }

  /** Fills the default region and checks that a secret goes with an access key. */
  public S3Settings {
    if (region == null || region.isBlank()) {
      region = DEFAULT_REGION;
    }
    if (payloadSigning == null) {
      payloadSigning = PayloadSigning.AUTO;
    }
    if ((accessKey == null) != (secretKey == null)) {
      throw new IllegalArgumentException(
          "S3 credentials need both an access key and a secret key (or neither, for anonymous access)");
    }
    if (endpoint != null && !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))) {
      throw new IllegalArgumentException(
          "the S3 endpoint must be an http or https URL, was '" + endpoint + "'");
    }
  }

  /** Settings with {@link PayloadSigning#AUTO}, as before that setting existed. */
  public S3Settings(
      URI endpoint, String region, String accessKey, String secretKey, String sessionToken, boolean pathStyle) {
    this(endpoint, region, accessKey, secretKey, sessionToken, pathStyle, PayloadSigning.AUTO);
  }

  /** Anonymous access to AWS in the default region. */
  public static S3Settings anonymous() {
    return new S3Settings(null, null, null, null, null, false);
  }

  /**
   * Reads the usual AWS variables: {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY},
   * {@code AWS_SESSION_TOKEN}, {@code AWS_REGION} (or {@code AWS_DEFAULT_REGION}), and
   * {@code AWS_ENDPOINT_URL_S3} or {@code AWS_ENDPOINT_URL} for S3-compatible servers; with an
   * endpoint, path-style addressing is used unless {@code AWS_S3_FORCE_PATH_STYLE=false}. {@value
   * #PAYLOAD_SIGNING_VARIABLE} ({@code auto}, {@code always} or {@code never}) sets {@link
   * #payloadSigning()}.
   *
   * @throws IllegalArgumentException when a variable holds a value that cannot be used
   */
  public static S3Settings fromEnvironment(Map<String, String> env) {
    String endpoint = firstSet(env, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
    String pathStyle = env.get("AWS_S3_FORCE_PATH_STYLE");
    String signing = firstSet(env, PAYLOAD_SIGNING_VARIABLE);
    PayloadSigning payloadSigning;
    try {
      payloadSigning = signing == null ? PayloadSigning.AUTO : PayloadSigning.parse(signing);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(PAYLOAD_SIGNING_VARIABLE + ": " + e.getMessage(), e);
    }
    return new S3Settings(
        endpoint == null ? null : URI.create(endpoint),
        firstSet(env, "AWS_REGION", "AWS_DEFAULT_REGION"),
        firstSet(env, "AWS_ACCESS_KEY_ID"),
        firstSet(env, "AWS_SECRET_ACCESS_KEY"),
        firstSet(env, "AWS_SESSION_TOKEN"),
        pathStyle == null ? endpoint != null : Boolean.parseBoolean(pathStyle),
        payloadSigning);
  }

  private static String firstSet(Map<String, String> env, String... names) {
    for (String name : names) {
      String value = env.get(name);
      if (value != null && !value.isBlank()) {
        return value.strip();
      }
    }
    return null;
  }

  /** The endpoint, if one is configured. */
  public Optional<URI> endpointUrl() {
    return Optional.ofNullable(endpoint);
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings. */
  public Builder toBuilder() {
    return new Builder()
        .endpoint(endpoint)
        .region(region)
        .accessKey(accessKey)
        .secretKey(secretKey)
        .sessionToken(sessionToken)
        .pathStyle(pathStyle)
        .payloadSigning(payloadSigning);
  }

  /** The secret and the session token are masked. */
  @Override
  public String toString() {
    return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", accessKey=" + accessKey
        + ", secretKey=" + (secretKey == null ? null : "****")
        + ", sessionToken=" + (sessionToken == null ? null : "****")
        + ", pathStyle=" + pathStyle + ", payloadSigning=" + payloadSigning + "]";
  }

  /** Builds {@link S3Settings}. Not thread-safe. */
  public static final class Builder {
    private URI endpoint;
    private String region;
    private String accessKey;
    private String secretKey;
    private String sessionToken;
    private boolean pathStyle;
    private PayloadSigning payloadSigning = PayloadSigning.AUTO;

    private Builder() {}

    public Builder endpoint(URI endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    public Builder region(String region) {
      this.region = region;
      return this;
    }

    public Builder accessKey(String accessKey) {
      this.accessKey = accessKey;
      return this;
    }

    public Builder secretKey(String secretKey) {
      this.secretKey = secretKey;
      return this;
    }

    public Builder sessionToken(String sessionToken) {
      this.sessionToken = sessionToken;
      return this;
    }

    public Builder pathStyle(boolean pathStyle) {
      this.pathStyle = pathStyle;
      return this;
    }

    /** Whether uploads sign their payload's SHA-256; {@link PayloadSigning#AUTO} unless set. */
    public Builder payloadSigning(PayloadSigning payloadSigning) {
      this.payloadSigning = payloadSigning;
      return this;
    }

    /** @throws IllegalArgumentException when the settings do not fit together */
    public S3Settings build() {
      return new S3Settings(endpoint, region, accessKey, secretKey, sessionToken, pathStyle, payloadSigning);
    }
  }
}
