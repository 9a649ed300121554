package io.tes4j.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.model.Executor;
import io.tes4j.model.State;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link HostRuntimeTest} with bubblewrap ({@code sandbox=bwrap}); skipped only where bwrap is not installed. */
class HostRuntimeBwrapTest extends HostRuntimeTest {
  @BeforeAll
  static void bwrapIsInstalled() {
    Sandboxes.assumeBwrapInstalled();
  }

  @Override
  HostSandbox sandbox() {
    return HostSandbox.BWRAP;
  }

  @Test
  void bwrapItselfGetsNoValueOnItsCommandLineAndNoVariableTheDynamicLinkerOrLibcReads() throws IOException {
    // a bwrap that records its own environment and argv, then runs the real one: what it records is
    // what bwrap runs with, on this machine's root, before any namespace
    Path bin = Files.createDirectories(tmp.resolve("recording-bin"));
    Path record = tmp.resolve("bwrap-record");
    Path wrapper = Files.writeString(bin.resolve("bwrap"),
        "#!/bin/sh\n"
            + "cat /proc/$$/environ > '" + record + ".env'\n" // as it was given, before sh changes PWD
            + "printf '%s\\0' \"$@\" > '" + record + ".argv'\n"
            + "exec " + realBwrap() + " \"$@\"\n");
    assertThat(wrapper.toFile().setExecutable(true)).isTrue();
    String secret = "s3cr3t-" + UUID.randomUUID();
    Map<String, String> env = new LinkedHashMap<>();
    for (String name : List.of("LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "GCONV_PATH", "GLIBC_TUNABLES",
        "LOCPATH", "MALLOC_CHECK_", "TMPDIR", "IFS", "HOSTALIASES", "NLSPATH", "RESOLV_HOST_CONF")) {
      env.put(name, "/nonexistent-" + secret + "/" + name);
    }
    env.put("TRICKY", secret + " $(id) `id` '\" \n-i --unshare-net");
    env.put("TES4J_ENV_PATH", "/nowhere-" + secret); // a task's own name with the prefix is only a name

    try (LocalBackend recorded = LocalBackend.builder()
        .runtime(LocalRuntime.HOST)
        .hostSandbox(HostSandbox.BWRAP)
        .workRoot(tmp.resolve("recorded-work"))
        .transferSettings(quickTransfers())
        .environment(Map.of("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin")))
        .build()) {
      RecordingEvents events = run(recorded, task()
          .addExecutor(Executor.builder().image("alpine").command("/usr/bin/env", "-0").env(env)
              .workdir("/work/" + secret).build())
          .build());

      assertThat(events.awaitFinished()).as("%s", events.systemLogs()).isEqualTo(State.COMPLETE);
      Map<String, String> seen = new LinkedHashMap<>();
      for (String entry : events.executor(0).stdout().split("\0")) {
        seen.put(entry.substring(0, entry.indexOf('=')), entry.substring(entry.indexOf('=') + 1));
      }
      Map<String, String> expected = new LinkedHashMap<>(Map.of(
          "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME", "/tmp"));
      expected.putAll(env);
      assertThat(seen).as("the command gets exactly its variables").isEqualTo(expected);
      // ld.so names a preload it cannot find on stderr: only the command's env saw LD_PRELOAD
      assertThat(events.executor(0).stderr().lines().filter(line -> line.contains("LD_PRELOAD")).count())
          .as("%s", events.executor(0).stderr()).isEqualTo(1);
    }

    List<String> bwrapEnvironment = Arrays.asList(
        new String(Files.readAllBytes(Path.of(record + ".env")), StandardCharsets.UTF_8).split("\0"));
    List<String> names = bwrapEnvironment.stream().map(entry -> entry.substring(0, entry.indexOf('='))).toList();
    assertThat(names).as("bwrap's own environment: PATH and prefixed names only")
        .allSatisfy(name -> assertThat(name.equals("PATH") || name.startsWith("TES4J_ENV_")).isTrue())
        .contains("TES4J_ENV_LD_PRELOAD", "TES4J_ENV_GCONV_PATH", "TES4J_ENV_TES4J_ENV_PATH");
    assertThat(bwrapEnvironment).contains("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    String argv = new String(Files.readAllBytes(Path.of(record + ".argv")), StandardCharsets.UTF_8);
    assertThat(argv.replace("/work/" + secret, "/work/WORKDIR"))
        .as("no value on bwrap's command line (the working directory, a path, is the only place the word is)")
        .doesNotContain(secret);
  }

  private static String realBwrap() {
    for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(directory.isEmpty() ? "." : directory, "bwrap");
      if (!directory.isEmpty() && Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new AssertionError("no bwrap on PATH, though the assumption found one");
  }
}
