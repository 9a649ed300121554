package io.tes4j.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.api.BackendException;
import io.tes4j.spi.Backend;
import io.tes4j.spi.BackendConfig;
import io.tes4j.spi.BackendProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class LocalBackendProviderTest {
  @TempDir Path tmp;

  private static BackendConfig config(String uri) {
    return BackendConfig.of(URI.create(uri), Map.of());
  }

  private Backend open(Map<String, String> environment, String uri) {
    return new LocalBackendProvider(environment).open(config(uri));
  }

  private String workdir() {
    return "workdir=" + tmp.resolve("work");
  }

  @Test
  void theServiceLoaderFindsItForTheLocalScheme() {
    List<BackendProvider> providers = ServiceLoader.load(BackendProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.schemes().contains("local"))
        .toList();

    assertThat(providers).singleElement().isInstanceOf(LocalBackendProvider.class);
    assertThat(providers.get(0).name()).isEqualTo("local (containers or host processes on this machine)");
  }

  @Test
  void anUnknownParameterIsRefusedWithTheKnownOnes() {
    assertThatThrownBy(() -> open(Map.of(), "local:?runtime=host&colour=blue"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("backend URI local:?...: unknown parameter colour; local: knows allowHosts, allowSchemes,"
            + " fileRoots, keep, privateAddresses, runtime, sandbox, user, workdir");
  }

  @Test
  void badValuesAreRefusedNamingTheParameter() {
    assertThatThrownBy(() -> open(Map.of(), "local:?runtime=lxc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("local: runtime=lxc is not a runtime; use one of docker, podman, apptainer, singularity, host");
    assertThatThrownBy(() -> open(Map.of(), "local:?runtime=host&keep=yes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("local: keep=yes must be true or false");
    assertThatThrownBy(() -> open(Map.of(), "local:?runtime=host&fileRoots=/data,relative"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("local: fileRoots=/data,relative: relative is not an absolute path");
    assertThatThrownBy(() -> open(Map.of(), "local:?runtime=host&sandbox=firejail"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("local: sandbox=firejail is not a host sandbox; use one of auto, bwrap, unshare");
  }

  @Test
  void aSandboxOtherThanAutoIsRefusedWithAContainerRuntime() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "docker");

    assertThatThrownBy(() -> open(fakes.environment(), "local:?runtime=docker&sandbox=bwrap&" + workdir()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("local: sandbox=bwrap applies to runtime=host only; runtime=docker runs executors in containers:"
            + " leave sandbox out, or set runtime=host");
    try (LocalBackend backend = (LocalBackend) open(fakes.environment(), "local:?sandbox=AUTO&" + workdir())) {
      assertThat(backend.runtime()).isEqualTo(LocalRuntime.DOCKER);
      assertThat(backend.hostSandbox()).isEmpty();
    }
  }

  @Test
  @EnabledOnOs(value = OS.LINUX, disabledReason = "runtime=host needs Linux namespaces")
  void sandboxBwrapWithoutBwrapIsRefusedSayingWhatToInstall() throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("bin-without-bwrap"));
    Files.createSymbolicLink(bin.resolve("unshare"), Path.of("/usr/bin/unshare"));

    assertThatThrownBy(() -> open(Map.of("PATH", bin.toString()), "local:?runtime=host&sandbox=bwrap&" + workdir()))
        .isInstanceOf(BackendException.class)
        .hasMessage("runtime=host sandbox=bwrap runs each executor in a sandbox made by bubblewrap, and bwrap is not on"
            + " PATH=" + bin + ". Install bubblewrap (Debian, Ubuntu: apt-get install bubblewrap; Fedora: dnf install"
            + " bubblewrap), or use sandbox=unshare (util-linux) or sandbox=auto");
    // auto takes the util-linux sandbox there
    try (LocalBackend backend = (LocalBackend) open(Map.of("PATH", bin.toString()), "local:?runtime=host&" + workdir())) {
      assertThat(backend.hostSandbox()).contains(HostSandbox.UNSHARE);
    }
  }

  @Test
  void withNoContainerRuntimeOnPathTheErrorNamesRuntimeHost() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty-bin"));

    assertThatThrownBy(() -> open(Map.of("PATH", empty.toString()), "local:?" + workdir()))
        .isInstanceOf(BackendException.class)
        .hasMessage("the local backend found no container runtime: none of docker, podman, apptainer, singularity"
            + " is on PATH (" + empty + "). Install one, or run the executors as host processes with runtime=host"
            + " (local:?runtime=host; no container: the image is not used, resources are not enforced)");
  }

  @Test
  void aRuntimeAskedForButMissingIsAnErrorNamingItAndRuntimeHost() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "podman");

    assertThatThrownBy(() -> open(fakes.environment(), "local:?runtime=docker&" + workdir()))
        .isInstanceOf(BackendException.class)
        .hasMessageStartingWith("runtime=docker: docker is not on PATH (")
        .hasMessageContaining("runtime=host");
  }

  @Test
  void theDefaultIsTheFirstContainerRuntimeOnPathAndNeverHost() throws IOException {
    FakeRuntimes apptainerOnly = new FakeRuntimes(tmp.resolve("a"), "singularity", "apptainer");
    FakeRuntimes podmanToo = new FakeRuntimes(tmp.resolve("p"), "apptainer", "podman");
    FakeRuntimes all = new FakeRuntimes(tmp.resolve("all"), "podman", "docker", "apptainer");

    try (LocalBackend a = (LocalBackend) open(apptainerOnly.environment(), "local:?" + workdir());
        LocalBackend p = (LocalBackend) open(podmanToo.environment(), "local:?" + workdir());
        LocalBackend d = (LocalBackend) open(all.environment(), "local:?" + workdir())) {
      assertThat(a.runtime()).isEqualTo(LocalRuntime.APPTAINER);
      assertThat(p.runtime()).isEqualTo(LocalRuntime.PODMAN);
      assertThat(d.runtime()).isEqualTo(LocalRuntime.DOCKER);
    }
  }

  @Test
  void parametersReachTheBackend() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "docker");
    Path data = tmp.resolve("data");

    try (LocalBackend backend = (LocalBackend) open(
        fakes.environment(), "local:?runtime=DOCKER&keep=true&fileRoots=" + data + "&" + workdir())) {
      assertThat(backend.runtime()).isEqualTo(LocalRuntime.DOCKER);
      assertThat(backend.workRoot()).isEqualTo(tmp.resolve("work"));
      assertThat(backend.capabilities().cancelRunning()).isTrue();
      assertThat(backend.capabilities().resume()).isFalse();
      assertThat(backend.capabilities().backendParameters()).isEmpty();
      assertThat(backend.capabilities().enforcedResources()).containsExactlyInAnyOrder("cpu_cores", "ram_gb");
      assertThat(backend.capabilities().storage())
          .contains(data.toUri().toString(), "s3://", "http://", "https://", "ftp://")
          .doesNotContain("file:///");
    }
  }

  @Test
  @EnabledOnOs(value = OS.LINUX, disabledReason = "runtime=host needs Linux namespaces (unshare)")
  void hostSaysSoWhenTheSystemRefusesTheNamespaces() throws IOException {
    // an unshare that fails the way it does where unprivileged user namespaces are disabled
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path unshare = bin.resolve("unshare");
    Files.writeString(unshare, "#!/bin/sh\necho 'unshare: unshare failed: Operation not permitted' >&2\nexit 1\n");
    unshare.toFile().setExecutable(true);

    assertThatThrownBy(() -> open(Map.of("PATH", bin.toString()), "local:?runtime=host&" + workdir()))
        .isInstanceOf(BackendException.class)
        .hasMessageStartingWith("runtime=host runs each executor in private user, mount and PID namespaces"
            + " (unshare --user --map-root-user --mount --pid), and this system refused: unshare: unshare failed:"
            + " Operation not permitted. Allow unprivileged user namespaces")
        .hasMessageEndingWith("or use a container runtime (runtime=docker, podman, apptainer or singularity)");
    assertThat(tmp.resolve("work")).isEmptyDirectory();
  }

  @Test
  @EnabledOnOs(value = OS.LINUX, disabledReason = "runtime=host needs Linux namespaces (unshare)")
  void hostOpensHereAndEnforcesNoResources() {
    try (LocalBackend backend = (LocalBackend) new LocalBackendProvider().open(config("local:?runtime=host&" + workdir()))) {
      assertThat(backend.runtime()).isEqualTo(LocalRuntime.HOST);
      assertThat(backend.hostSandbox()).as("auto prefers bubblewrap when it is installed")
          .contains(Sandboxes.bwrapInstalled() ? HostSandbox.BWRAP : HostSandbox.UNSHARE);
      assertThat(backend.capabilities().enforcedResources()).isEmpty();
      assertThat(backend.capabilities().storage()).contains("file:///");
    }
  }
}
