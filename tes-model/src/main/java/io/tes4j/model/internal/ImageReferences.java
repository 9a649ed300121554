package io.tes4j.model.internal;

import java.util.List;
import java.util.Optional;
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

  /** The image sources apptainer and singularity may take from a task's {@code SCHEME://} image. */
  public static final List<String> APPTAINER_SCHEMES = List.of("docker", "oras", "library", "shub");

  private ImageReferences() {}

  /** Whether {@code image} is a reference of the grammar. */
  public static boolean isValid(String image) {
    if (image == null || image.isEmpty() || image.length() > MAX_LENGTH) {
      return false;
    }
    Matcher matcher = REFERENCE.matcher(image);
    return matcher.matches() && matcher.group(1).length() <= MAX_NAME_LENGTH;
  }

  /**
   * What is wrong with {@code image}, an apptainer or singularity image written {@code
   * SCHEME://REST}, or empty when a runtime may take it as it is: the scheme must be one of {@link
   * #APPTAINER_SCHEMES} (another source would bypass the task policy or reach outside the task),
   * and what follows a reference of the grammar for {@code docker} and {@code oras}, else letters,
   * digits and {@code . _ / : @ + -} with no {@code ..}. The local and Pulsar backends both ask.
   *
   * @param runtime the runtime's name, for the message ({@code runtime=NAME ...})
   * @param allowed what the message says to use instead, when the scheme is refused
   * @throws IllegalArgumentException when {@code image} has no {@code ://}
   */
  public static Optional<String> apptainerUriProblem(String image, String runtime, String allowed) {
    int schemeEnd = image.indexOf("://");
    if (schemeEnd < 0) {
      throw new IllegalArgumentException("not a SCHEME:// image: " + Texts.quote(image));
    }
    String scheme = image.substring(0, schemeEnd);
    String rest = image.substring(schemeEnd + 3);
    if (!APPTAINER_SCHEMES.contains(scheme)) {
      return Optional.of("runtime=" + runtime + " does not take " + Texts.quote(scheme + "://")
          + " images (other sources would bypass the task policy or reach outside the task); " + allowed);
    }
    boolean registry = scheme.equals("docker") || scheme.equals("oras");
    boolean valid = registry
        ? isValid(rest)
        : !rest.isEmpty() && rest.matches("[A-Za-z0-9][A-Za-z0-9._/:@+-]*") && !rest.contains("..");
    if (!valid) {
      return Optional.of("runtime=" + runtime + ": " + Texts.quote(image) + " is not a valid " + scheme
          + ":// image" + (registry
              ? "; after the scheme comes " + GRAMMAR
              : "; after the scheme come letters, digits and . _ / : @ + -"));
    }
    return Optional.empty();
  }
}
