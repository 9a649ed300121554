package io.tes4j.backend.local;

import io.tes4j.spi.Backend;
import io.tes4j.testing.conformance.BackendConformance;
import java.nio.file.Path;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance kit on runtime=host with the util-linux sandbox: real processes in private
 * namespaces, staging through the transfer module's file storage. Resume is skipped: the executors
 * are child processes of the JVM. {@link LocalBackendBwrapConformanceTest} runs it with bubblewrap.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "runtime=host needs Linux namespaces (unshare)")
class LocalBackendConformanceTest extends BackendConformance {
  @TempDir Path work;

  /** The sandbox the kit runs with. */
  HostSandbox sandbox() {
    return HostSandbox.UNSHARE;
  }

  @Override
  protected Backend newBackend() {
    return LocalBackend.builder()
        .runtime(LocalRuntime.HOST)
        .hostSandbox(sandbox())
        .workRoot(work)
        .transferSettings(HostRuntimeTest.quickTransfers())
        .build();
  }
}
