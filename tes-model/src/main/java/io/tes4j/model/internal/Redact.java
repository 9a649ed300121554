package io.tes4j.model.internal;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Hides secrets in text meant for logs, messages and {@code toString()}: the password of a URL's
 * user info ({@code ftp://user:pw@host}), query values that carry credentials (presigned S3 and
 * Azure SAS URLs: {@code X-Amz-Signature}, {@code sig}, {@code token}...), and environment variable
 * values, which routinely hold keys. Internal.
 */
public final class Redact {
  /** What a hidden value prints as. */
  public static final String MASK = "****";

  // The authority runs to the first '/', '?' or '#'; its user info ends at its LAST '@', because
  // a password may itself hold an '@' (as URL parsers read it), and must be masked whole.
  private static final Pattern USER_INFO = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)([^/?#]*)@");
  private static final Pattern QUERY_PARAM = Pattern.compile("([?&])([^=&#]+)=([^&#]*)");

  private Redact() {}

  /** {@code url} with its user-info password and credential-like query values masked. */
  public static String url(String url) {
    if (url == null) {
      return null;
    }
    String out = url;
    Matcher userInfo = USER_INFO.matcher(out);
    if (userInfo.find()) {
      String info = userInfo.group(2);
      int colon = info.indexOf(':');
      String masked = colon < 0 ? info : info.substring(0, colon + 1) + MASK;
      out = userInfo.group(1) + masked + "@" + out.substring(userInfo.end());
    }
    if (out.indexOf('?') >= 0) {
      Matcher query = QUERY_PARAM.matcher(out);
      StringBuilder sb = new StringBuilder();
      while (query.find()) {
        String replacement =
            isSecretName(query.group(2))
                ? query.group(1) + query.group(2) + "=" + MASK
                : query.group(0);
        query.appendReplacement(sb, Matcher.quoteReplacement(replacement));
      }
      query.appendTail(sb);
      out = sb.toString();
    }
    return out;
  }

  /** The map with every value masked, keys kept (for environment variables). */
  public static String values(Map<String, String> map) {
    return map.keySet().stream().map(k -> k + "=" + MASK).collect(Collectors.joining(", ", "{", "}"));
  }

  /** Whether a parameter or header name suggests it carries a credential. */
  public static boolean isSecretName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.contains("sig")
        || n.contains("token")
        || n.contains("secret")
        || n.contains("password")
        || n.contains("passwd")
        || n.contains("credential")
        || n.contains("key")
        || n.contains("auth");
  }
}
