package io.tes4j.cli.internal;

/** The environment variables {@code tes4j} reads. */
final class Env {
  /** The server's base URL, when {@code --server} is not given. */
  static final String SERVER = "TES_SERVER";
  /** The user name for basic authentication. */
  static final String USER = "TES_USER";
  /** The password for basic authentication. */
  static final String PASSWORD = "TES_PASSWORD";
  /** A bearer token. */
  static final String TOKEN = "TES_TOKEN";
  /** The S3 secret key ({@code cp}, {@code filer}); never printed. */
  static final String AWS_SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
  /** The S3 session token of temporary credentials; never printed. */
  static final String AWS_SESSION_TOKEN = "AWS_SESSION_TOKEN";

  private Env() {}
}
