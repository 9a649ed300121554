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

  private Env() {}
}
