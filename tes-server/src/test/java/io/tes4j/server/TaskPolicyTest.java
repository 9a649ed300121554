package io.tes4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.model.Executor;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskPolicyTest {
  @TempDir Path dir;

  private static Task reading(String... urls) {
    Task.Builder task = Task.builder().addExecutor(Executor.of("alpine:3.20", "true"));
    for (int i = 0; i < urls.length; i++) {
      task.addInput(Input.ofUrl(urls[i], "/in/" + i));
    }
    return task.build();
  }

  private static List<String> paths(List<Violation> violations) {
    return violations.stream().map(Violation::path).toList();
  }

  @Test
  void defaultsAllowHttpHttpsFtpS3OnAnyHostAndNoFile() {
    TaskPolicy policy = TaskPolicy.defaults();
    assertThat(policy.check(reading("http://a.org/x", "https://b.org/x", "ftp://c.org/x", "s3://bucket/x")))
        .isEmpty();
    List<Violation> refused = policy.check(reading("https://ok.org/x", "gs://b/x", "file:///etc/passwd", "x/y"));
    assertThat(paths(refused)).containsExactly("inputs[1].url", "inputs[2].url", "inputs[3].url");
    assertThat(refused.get(0).message()).isEqualTo(
        "scheme 'gs' is not allowed on this server; allowed: http, https, ftp, s3");
    assertThat(refused.get(1).message()).contains("file: URLs are not allowed").contains("no file roots");
    assertThat(refused.get(2).message()).startsWith("is not a valid URL: not a URL or an absolute path");
  }

  @Test
  void contentInputsNeedNoUrlAndOutputsAreCheckedToo() {
    Task task = Task.builder()
        .addInput(Input.ofContent("hi", "/in/a"))
        .addExecutor(Executor.of("alpine:3.20", "true"))
        .addOutput(Output.of("/out/a", "https://ok.org/a"))
        .addOutput(Output.of("/out/b", "gopher://old.org/b"))
        .build();
    assertThat(paths(TaskPolicy.defaults().check(task))).containsExactly("outputs[1].url");
  }

  @Test
  void schemesAndHostsAreConfigurable() {
    TaskPolicy policy = TaskPolicy.builder().allowSchemes("HTTPS", "s3").allowHosts("*.example.org", "my-bucket").build();
    assertThat(policy.check(reading("https://data.example.org/x", "https://a.b.example.org/x",
        "s3://my-bucket/key", "https://DATA.Example.org:8443/x", "https://user@data.example.org/x"))).isEmpty();
    List<Violation> refused = policy.check(reading("http://data.example.org/x", "https://example.org/x",
        "https://evil.org/x?example.org", "s3://other-bucket/key", "https://notexample.org/x"));
    assertThat(paths(refused)).containsExactly("inputs[0].url", "inputs[1].url", "inputs[2].url", "inputs[3].url",
        "inputs[4].url");
    assertThat(refused.get(1).message()).isEqualTo("the host 'example.org' is not among the hosts the transfer policy"
        + " allows (*.example.org, my-bucket); allow it with --allow-host example.org");
    assertThat(refused.get(3).message()).contains("other-bucket");
  }

  @Test
  void badSettingsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> TaskPolicy.builder().allowSchemes("ht tp")).hasMessageContaining("invalid URL scheme");
    assertThatThrownBy(() -> TaskPolicy.builder().allowHosts("**")).hasMessageContaining("invalid host");
    assertThatThrownBy(() -> TaskPolicy.builder().allowHosts("")).hasMessageContaining("invalid host");
    assertThatThrownBy(() -> TaskPolicy.builder().allowHosts("a.*.org")).hasMessageContaining("*.example.org");
    assertThatThrownBy(() -> TaskPolicy.builder().allowSchemes("file").build())
        .hasMessageContaining("file roots");
  }

  @Test
  void fileUrlsOnlyUnderTheRoots() throws IOException {
    Path root = Files.createDirectories(dir.resolve("shared"));
    Files.writeString(root.resolve("in.txt"), "x");
    TaskPolicy policy = TaskPolicy.builder().fileRoots(root).build();
    assertThat(policy.schemes()).contains("file", "https");
    String under = root.toUri().toString();
    assertThat(policy.check(reading(under + "in.txt", under + "not-yet/out.txt", "file://localhost" + root + "/in.txt")))
        .isEmpty();

    List<Violation> refused = policy.check(reading(
        under + "../escape.txt",
        under + "a/%2e%2e/%2e%2e/escape.txt",
        "file:///etc/passwd",
        "file://otherhost" + root + "/in.txt",
        "file:relative/path",
        dir.resolve("shared-not").toUri().toString()));
    assertThat(paths(refused)).hasSize(6);
    assertThat(refused.get(0).message()).contains("outside the file roots").contains(root.toString());
    assertThat(refused.get(3).message()).contains("a file URL names a local path: use file:///abs/path");
    assertThat(refused.get(4).message()).as("file:relative/path is /relative/path, as the transfers read it")
        .contains("'/relative/path' is outside the file roots");
  }

  @Test
  void aSymbolicLinkUnderARootCannotEscapeIt() throws IOException {
    Path root = Files.createDirectories(dir.resolve("root"));
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "s");
    Files.createSymbolicLink(root.resolve("link"), outside);
    TaskPolicy policy = TaskPolicy.builder().fileRoots(root).build();
    List<Violation> refused = policy.check(reading(root.resolve("link/secret.txt").toUri().toString(),
        root.resolve("link/new/file.txt").toUri().toString()));
    assertThat(paths(refused)).containsExactly("inputs[0].url", "inputs[1].url");
    assertThat(refused.get(0).message()).contains("really").contains(outside.toRealPath().toString());
  }

  @Test
  void aRootThatIsALinkAllowsItsTarget() throws IOException {
    Path target = Files.createDirectories(dir.resolve("target"));
    Path link = Files.createSymbolicLink(dir.resolve("rootlink"), target);
    TaskPolicy policy = TaskPolicy.builder().fileRoots(link).build();
    assertThat(policy.check(reading(link.resolve("x.txt").toUri().toString()))).isEmpty();
  }

  @Test
  void nonPublicAddressesAreRefusedInEverySpellingUnlessNamed() {
    List<String> urls = List.of("http://127.0.0.1:8080/x", "https://2130706433/x", "ftp://0x7f.1/x",
        "http://[::1]:8080/x", "http://[::ffff:127.0.0.1]/x", "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/x", "http://0.0.0.0:8000/x", "HTTP://user:pa55@127.1/x");
    List<Violation> refused = TaskPolicy.defaults().check(reading(urls.toArray(String[]::new)));
    assertThat(refused).hasSize(urls.size());
    assertThat(refused.get(0)).isEqualTo(new Violation("inputs[0].url", "the address 127.0.0.1 is loopback: the transfer"
        + " policy reaches non-public addresses only for hosts allowed by name; allow it with --allow-host 127.0.0.1"));
    assertThat(refused.get(5).message()).contains("link-local").contains("--allow-host 169.254.169.254");
    assertThat(refused).allSatisfy(v -> assertThat(v.message()).doesNotContain("pa55"));

    TaskPolicy named = TaskPolicy.builder().allowHosts("127.0.0.1", "::1").build();
    assertThat(named.check(reading("http://127.0.0.1:8080/x", "https://2130706433/x", "ftp://127.1/x",
        "http://[::1]:8080/x", "http://[::ffff:127.0.0.1]/x"))).isEmpty();
    // Names are judged when connecting, by the address they resolve to then.
    assertThat(TaskPolicy.defaults().check(reading("http://localhost:8080/x", "https://data.example.org/x"))).isEmpty();
  }

  @Test
  void urlsAreReadAsTheTransfersReadThem() {
    TaskPolicy policy = TaskPolicy.builder().allowSchemes("s3", "https").allowHosts("b", "*.example.org").build();
    // Unencoded spaces, percent-encoding, user info, upper-case schemes, IPv6 literals.
    assertThat(policy.check(reading("s3://b/my file.txt", "s3://b/100%.txt", "s3://b/a%20b.txt",
        "HTTPS://user:pw@data.example.org/a b?x=1", "https://data.example.org:8443/%7Euser/"))).isEmpty();
    List<Violation> refused = policy.check(reading("s3://other/my file.txt", "https://[::1]/x",
        "https://data.example.org:99999/x", "http://data.example.org/x", "https://user:pw@evil.org/x"));
    assertThat(paths(refused)).hasSize(5);
    assertThat(refused.get(2).message()).contains("port 99999");
    assertThat(refused.get(4).message()).contains("'evil.org'").doesNotContain("pw");
    // The same verdict as the transfers, which use the same TransferPolicy on the same StorageUrl.
    for (String url : List.of("s3://b/my file.txt", "s3://other/x", "https://[::1]/x", "https://a.example.org/x")) {
      boolean server = policy.check(reading(url)).isEmpty();
      boolean transfers = policy.transferPolicy().problem(io.tes4j.transfer.StorageUrl.parse(url)).isEmpty();
      assertThat(server).as(url).isEqualTo(transfers);
    }
  }

  @Test
  void theBackendGetsThePolicyAsParametersWithNoFileAccessWithoutRoots() throws IOException {
    assertThat(TaskPolicy.defaults().backendParameters()).containsExactly(
        java.util.Map.entry("allowSchemes", "http,https,ftp,s3"),
        java.util.Map.entry("privateAddresses", "refuse"),
        java.util.Map.entry("fileRoots", ""));
    Path root = Files.createDirectories(dir.resolve("root"));
    TaskPolicy policy = TaskPolicy.builder().allowHosts("*", "127.0.0.1").fileRoots(root).build();
    assertThat(policy.backendParameters()).containsEntry("allowSchemes", "http,https,ftp,s3,file")
        .containsEntry("allowHosts", "*,127.0.0.1")
        .containsEntry("fileRoots", root.toRealPath().toString().equals(root.toString())
            ? root.toString() : root + "," + root.toRealPath());
    assertThat(io.tes4j.transfer.TransferPolicy.fromParameters(policy.backendParameters()))
        .isEqualTo(policy.transferPolicy());
  }
}
