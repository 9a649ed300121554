package io.tes4j.client.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of tes-client, written into a resource by the build. Internal. */
public final class Version {
  private static final String VERSION = load();

  private Version() {}

  /** E.g. {@code 0.1.0}; {@code unknown} when the resource is missing (a broken repackaging). */
  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("tes4j-client.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      String version = properties.getProperty("version", "unknown");
      // An unfiltered resource (an IDE build that skips Maven filtering) still holds the
      // placeholder.
      return version.startsWith("${") ? "unknown" : version;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the tes-client version resource", e);
    }
  }
}
