package io.tes4j.backend.local;

import org.junit.jupiter.api.BeforeAll;

/** The conformance kit on runtime=host with bubblewrap; skipped only where bwrap is not installed. */
class LocalBackendBwrapConformanceTest extends LocalBackendConformanceTest {
  @BeforeAll
  static void bwrapIsInstalled() {
    Sandboxes.assumeBwrapInstalled();
  }

  @Override
  HostSandbox sandbox() {
    return HostSandbox.BWRAP;
  }
}
