package io.tes4j.model.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Image references as docker and podman read them, after the grammar of the distribution project
 * ({@code github.com/distribution/reference}), written here from that grammar:
 *
 * <pre>
 * reference        := name [ ":" tag ] [ "@" digest ]
 * name             := [ domain "/" ] path-component [ "/" path-component ]*     at most 255 characters
 * domain           := host [ ":" port ]        host: DNS-like names (any case), IPv4, or [IPv6]
 * path-component   := [a-z0-9]+ ( separator [a-z0-9]+ )*      separator: "." | "_" | "__" | "-"+
 * tag              := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 * digest           := algorithm ":" hex{32,}    algorithm: [A-Za-z][A-Za-z0-9]* joined by [-_+.]
 * </pre>
 *
 * <p>No reference starts with {@code -}, holds {@code =}, {@code ,}, whitespace or {@code //}, so
 * one can never be read as an option or a URL; that is why every backend checks docker and podman
 * images against it before they reach a command line (the local backend, and the Pulsar backend,
 * which writes them into a job's command line). Internal.
 */
public final class ImageReferences {
  /** The longest name (registry and path) the grammar allows. */
  public static final int MAX_NAME_LENGTH = 255;

  /** Longer than any valid reference (name, a 128-character tag and a sha512 digest): not matched at all. */
  private static final int MAX_LENGTH = 1024;

  private static final String ALPHANUMERIC = "[a-z0-9]+";
  private static final String SEPARATOR = "(?:[._]|__|-+)";
  private static final String PATH_COMPONENT = ALPHANUMERIC + "(?:" + SEPARATOR + ALPHANUMERIC + ")*";
  private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  private static final String HOST =
      "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|\\[[a-fA-F0-9:]+\\])";
  private static final String DOMAIN = HOST + "(?::[0-9]+)?";
  private static final String NAME = "(?:" + DOMAIN + "/)?" + PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*";
  private static final String TAG = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
  private static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
  private static final Pattern REFERENCE =
      Pattern.compile("(" + NAME + ")(?::" + TAG + ")?(?:@" + DIGEST + ")?");

  /** What docker and podman accept, for messages. */
  public static final String GRAMMAR =
      "an image reference: [registry[:port]/]name[:tag][@digest], the name in lowercase letters, digits"
          + " and separators (. _ __ -), e.g. ubuntu:24.04 or registry.example.org:5000/team/tool:1.2";

  private ImageReferences() {}

  /** Whether {@code image} is a reference of the grammar. */
  public static boolean isValid(String image) {
    if (image == null || image.isEmpty() || image.length() > MAX_LENGTH) {
      return false;
    }
    Matcher matcher = REFERENCE.matcher(image);
    return matcher.matches() && matcher.group(1).length() <= MAX_NAME_LENGTH;
  }
}
