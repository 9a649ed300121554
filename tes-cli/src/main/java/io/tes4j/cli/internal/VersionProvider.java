package io.tes4j.cli.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * The version of {@code tes4j}: from {@code io/tes4j/cli/version.properties}, which the build
 * fills in, else from the jar manifest's {@code Implementation-Version}.
 */
public final class VersionProvider implements CommandLine.IVersionProvider {
  private static final String RESOURCE = "/io/tes4j/cli/version.properties";

  /** Picocli creates it. */
  public VersionProvider() {}

  @Override
  public String[] getVersion() {
    return new String[] {"tes4j " + version()};
  }

  /** The version, e.g. {@code 0.1.0-SNAPSHOT}, or {@code unknown} outside a build. */
  public static String version() {
    try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        if (v != null && !v.isBlank() && !v.contains("${")) {
          return v.strip();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    String manifest = VersionProvider.class.getPackage().getImplementationVersion();
    return manifest == null ? "unknown" : manifest;
  }
}
