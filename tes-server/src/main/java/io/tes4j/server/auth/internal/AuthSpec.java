package io.tes4j.server.auth.internal;

import io.tes4j.server.auth.Authenticator;
import io.tes4j.server.auth.OidcSettings;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The {@code --auth} values of {@code tes4j serve}, read by {@code Authenticators.fromSpec}. */
public final class AuthSpec {
  private AuthSpec() {}

  /** What a value may be, for messages. */
  public static final String USAGE =
      "none, basic:USERS_FILE, bearer:TOKENS_FILE, or oidc:ISSUER_URL[,audience=AUD][,jwks=URL]"
          + "[,user-claim=CLAIM][,scope-prefix=PREFIX][,alg=ALG][,clock-skew=SECONDS]";

  private static final List<String> OIDC_OPTIONS =
      List.of("audience", "jwks", "user-claim", "scope-prefix", "alg", "clock-skew");

  private static final Pattern KIND = Pattern.compile("[A-Za-z][A-Za-z0-9-]{0,19}");

  /**
   * The authenticator {@code spec} names.
   *
   * @throws IllegalArgumentException saying what is wrong and what is allowed
   */
  public static Authenticator parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("--auth is empty; use " + USAGE);
    }
    String value = spec.strip();
    int colon = value.indexOf(':');
    String kind = colon < 0 ? value : value.substring(0, colon);
    String rest = colon < 0 ? null : value.substring(colon + 1);
    switch (kind) {
      case "none":
        if (rest != null) {
          throw new IllegalArgumentException("--auth none takes no value; use plain 'none'");
        }
        return Authenticator.none();
      case "basic":
        return BasicAuthenticator.load(
            file("basic", rest, "a users file of USER:BCRYPT_HASH lines"));
      case "bearer":
        return BearerTokenAuthenticator.load(
            file("bearer", rest, "a tokens file of NAME SCOPES sha256:HEX lines"));
      case "oidc":
        return new OidcAuthenticator(oidc(rest));
      default:
        // Shown only as KIND:... and when it looks like a word: a value without a colon may be a
        // password or token given here by mistake.
        String shown =
            rest != null && KIND.matcher(kind).matches()
                ? "'" + kind + "'"
                : "(not shown: it may be a secret)";
        throw new IllegalArgumentException("unknown --auth kind " + shown + "; use " + USAGE);
    }
  }

  private static Path file(String kind, String rest, String what) {
    if (rest == null || rest.isBlank()) {
      throw new IllegalArgumentException(
          "--auth " + kind + " needs a file: " + kind + ":FILE, " + what);
    }
    try {
      return Path.of(rest.strip());
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(
          "--auth " + kind + ": '" + rest + "' is not a file path: " + e.getReason(), e);
    }
  }

  private static OidcSettings oidc(String rest) {
    if (rest == null || rest.isBlank()) {
      throw new IllegalArgumentException(
          "--auth oidc needs the issuer's URL: " + USAGE.substring(USAGE.indexOf("oidc:")));
    }
    String[] parts = rest.split(",", -1);
    OidcSettings.Builder builder;
    try {
      builder = OidcSettings.builder(parts[0].strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--auth oidc: " + e.getMessage(), e);
    }
    Set<String> seen = new HashSet<>();
    List<String> algorithms = new java.util.ArrayList<>();
    for (int i = 1; i < parts.length; i++) {
      String option = parts[i].strip();
      int equals = option.indexOf('=');
      String name = equals < 0 ? option : option.substring(0, equals).strip();
      if (!OIDC_OPTIONS.contains(name)) {
        // Shown only as NAME=...: a bare item may be a secret given here by mistake.
        String shown =
            equals >= 0 && KIND.matcher(name).matches()
                ? "'" + name + "'"
                : "(not shown: it may be a secret)";
        throw new IllegalArgumentException(
            "--auth oidc: unknown option "
                + shown
                + "; options: "
                + String.join(", ", OIDC_OPTIONS)
                + ", each as NAME=VALUE after a comma");
      }
      String optionValue = equals < 0 ? "" : option.substring(equals + 1).strip();
      if (optionValue.isEmpty()) {
        throw new IllegalArgumentException(
            "--auth oidc: option " + name + " needs a value: " + name + "=VALUE");
      }
      if (!name.equals("audience") && !name.equals("alg") && !seen.add(name)) {
        throw new IllegalArgumentException(
            "--auth oidc: option " + name + " is given twice; only audience and alg may repeat");
      }
      try {
        switch (name) {
          case "audience" -> builder.audience(optionValue);
          case "jwks" -> builder.jwksUri(optionValue);
          case "user-claim" -> builder.userClaim(optionValue);
          case "scope-prefix" -> builder.scopePrefix(optionValue);
          case "alg" -> algorithms.add(optionValue);
          case "clock-skew" -> builder.clockSkew(Duration.ofSeconds(seconds(optionValue)));
          default ->
              throw new IllegalStateException("an option in OIDC_OPTIONS not handled: " + name);
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--auth oidc: " + e.getMessage(), e);
      }
    }
    if (!algorithms.isEmpty()) {
      builder.algorithms(algorithms.toArray(String[]::new));
    }
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--auth oidc: " + e.getMessage(), e);
    }
  }

  private static long seconds(String value) {
    if (!value.matches("\\d{1,4}")) {
      throw new IllegalArgumentException(
          "clock-skew '"
              + Scopes.printable(value)
              + "' is not a whole number of seconds (0 to 300)");
    }
    return Long.parseLong(value);
  }
}
