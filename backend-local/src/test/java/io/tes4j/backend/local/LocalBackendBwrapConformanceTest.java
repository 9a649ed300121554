package io.tes4j.backend.local;

import io.tes4j.spi.Backend;
import io.tes4j.testing.conformance.BackendConformance;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The conformance kit on runtime=host with bubblewrap; skipped only where bwrap is not installed. */
@EnabledOnOs(value = OS.LINUX, disabledReason = "runtime=host needs Linux namespaces")
class LocalBackendBwrapConformanceTest extends BackendConformance {
  @TempDir Path work;

  @BeforeAll
  static void bwrapIsInstalled() {
    Sandboxes.assumeBwrapInstalled();
  }

  @Override
  protected Backend newBackend() {
    return LocalBackend.builder()
        .runtime(LocalRuntime.HOST)
        .hostSandbox(HostSandbox.BWRAP)
        .workRoot(work)
        .transferSettings(HostRuntimeTest.quickTransfers())
        .build();
  }
}
