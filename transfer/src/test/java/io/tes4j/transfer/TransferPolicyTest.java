package io.tes4j.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tes4j.transfer.TransferException.Reason;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rules of {@link TransferPolicy} on the text of URLs and on addresses; no connection is made. */
class TransferPolicyTest {
  /** What {@code tes4j serve} uses without options: any public host, the usual schemes. */
  private static final TransferPolicy SERVER =
      TransferPolicy.builder().allowSchemes("http", "https", "ftp", "s3").allowPrivateAddresses(false).build();

  private static Optional<String> problem(TransferPolicy policy, String url) {
    return policy.problem(StorageUrl.parse(url));
  }

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal); // literals only: no lookup
  }

  @Test
  void thePermissiveDefaultAllowsEverything() throws Exception {
    TransferPolicy policy = TransferSettings.defaults().policy();
    assertThat(policy).isEqualTo(TransferPolicy.permissive());
    assertThat(policy.isPermissive()).isTrue();
    for (String url : List.of("http://127.0.0.1:8080/x", "gopher://[::1]/x", "ftp://169.254.169.254/x",
        "s3://bucket/x", "file:///etc/passwd")) {
      assertThat(problem(policy, url)).as(url).isEmpty();
    }
    assertThat(policy.addressProblem("localhost", ip("127.0.0.1"))).isEmpty();
  }

  @Test
  void everySpellingOfANonPublicAddressIsRefusedOnTheUrlsText() {
    List<String> hosts = List.of(
        "127.0.0.1", "127.1", "2130706433", "0x7f.1", "0x7F000001", "0177.0.0.1", "017700000001",
        "[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[::FFFF:7f00:1]", "[::127.0.0.1]",
        "0.0.0.0", "0", "[::]", "169.254.169.254", "[::ffff:169.254.169.254]", "[64:ff9b::a9fe:a9fe]",
        "[2002:a9fe:a9fe::1]", "[fd00:ec2::254]", "[fe80::1]", "10.1.2.3", "172.16.0.1", "192.168.1.1",
        "100.100.100.200", "224.0.0.1", "255.255.255.255");
    for (String host : hosts) {
      for (String scheme : List.of("http", "HTTPS", "ftp")) {
        String url = scheme + "://user:pa55word@" + host + ":21/data.txt";
        TransferException refused =
            catchThrowableOfType(TransferException.class, () -> SERVER.check(StorageUrl.parse(url)));
        assertThat(refused).as(url).isNotNull();
        assertThat(refused.reason()).isEqualTo(Reason.NOT_ALLOWED);
        assertThat(refused.getMessage()).as(url)
            .contains("--allow-host")
            .contains("non-public")
            .doesNotContain("pa55word");
      }
    }
  }

  @Test
  void theMessageNamesTheAddressTheSpellingAndWhatToAllow() {
    assertThat(problem(SERVER, "http://2130706433/x")).hasValueSatisfying(p -> assertThat(p)
        .isEqualTo("the address 127.0.0.1 (written '2130706433') is loopback: the transfer policy reaches"
            + " non-public addresses only for hosts allowed by name; allow it with --allow-host 127.0.0.1"));
    assertThat(problem(SERVER, "http://169.254.169.254/latest/meta-data/")).hasValueSatisfying(p -> assertThat(p)
        .startsWith("the address 169.254.169.254 is link-local").endsWith("--allow-host 169.254.169.254"));
    assertThat(problem(SERVER, "http://[::ffff:a9fe:a9fe]/x")).hasValueSatisfying(p -> assertThat(p)
        .contains("169.254.169.254").contains("link-local"));
    assertThat(problem(SERVER, "http://[fe80::1]/x")).hasValueSatisfying(p -> assertThat(p)
        .contains("[fe80::1]").contains("link-local").endsWith("--allow-host fe80::1"));
  }

  @Test
  void publicAddressesAndNamesPassTheTextCheck() {
    // Names are judged by the address connected to, when connecting.
    for (String url : List.of("http://93.184.215.14/x", "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/x",
        "http://localhost:8080/x", "ftp://rebind.example.org/x", "s3://127.0.0.1/x", "http://8.8.8.8.nip.io/x")) {
      assertThat(problem(SERVER, url)).as(url).isEmpty();
    }
  }

  @Test
  void anAllowHostEntryNamesTheHostForTheAddressRule() throws Exception {
    TransferPolicy policy = SERVER.toBuilder().allowHosts("127.0.0.1", "localhost", "*.internal", "::1").build();
    assertThat(problem(policy, "http://127.0.0.1:8080/x")).isEmpty();
    assertThat(problem(policy, "http://2130706433:8080/x")).as("the same address, spelled otherwise").isEmpty();
    assertThat(problem(policy, "http://[::1]:8080/x")).isEmpty();
    assertThat(problem(policy, "http://[0::1]/x")).isEmpty();
    assertThat(policy.addressProblem("localhost", ip("127.0.0.1"))).isEmpty();
    assertThat(policy.addressProblem("minio.internal", ip("10.0.0.7"))).isEmpty();
    assertThat(policy.addressProblem("127.0.0.1", ip("127.0.0.1"))).isEmpty();
    // Other loopback addresses are not named by 127.0.0.1.
    assertThat(problem(policy, "http://127.0.0.2/x")).isPresent();
    // The host list now restricts hosts too.
    assertThat(problem(policy, "http://example.org/x")).hasValueSatisfying(p -> assertThat(p)
        .contains("'example.org' is not among the hosts").endsWith("--allow-host example.org"));
  }

  @Test
  void starAllowsAnyHostButNamesNone() throws Exception {
    TransferPolicy policy = SERVER.toBuilder().allowHosts("*", "minio.internal").build();
    assertThat(problem(policy, "http://example.org/x")).isEmpty();
    assertThat(problem(policy, "http://127.0.0.1/x")).isPresent();
    assertThat(policy.addressProblem("example.org", ip("127.0.0.1"))).hasValueSatisfying(p -> assertThat(p)
        .isEqualTo("the host 'example.org' has the address 127.0.0.1, which is loopback: the transfer policy"
            + " reaches non-public addresses only for hosts allowed by name; allow it with --allow-host example.org"));
    assertThat(policy.addressProblem("minio.internal", ip("10.0.0.7"))).isEmpty();
    assertThat(policy.addressProblem("example.org", ip("93.184.215.14"))).isEmpty();
    assertThat(policy.addressProblem(null, ip("::ffff:10.0.0.1"))).isPresent();
  }

  @Test
  void schemesAreCheckedInLowerCase() {
    assertThat(problem(SERVER, "HTTPS://example.org/x")).isEmpty();
    assertThat(problem(SERVER, "gs://bucket/x")).hasValueSatisfying(p -> assertThat(p)
        .isEqualTo("the scheme 'gs' is not allowed by the transfer policy; allowed: http, https, ftp, s3"));
    assertThat(problem(SERVER, "file:///etc/passwd")).isPresent();
    assertThat(problem(SERVER.toBuilder().allowSchemes("file").build(), "/etc/passwd"))
        .as("a bare path is a file: location; file roots decide").isEmpty();
  }

  @Test
  void forS3TheHostRuleIsOnTheBucket() {
    TransferPolicy policy = SERVER.toBuilder().allowHosts("my-bucket", "*.example.org").build();
    assertThat(problem(policy, "s3://my-bucket/my file.txt")).isEmpty();
    assertThat(problem(policy, "s3://other/x")).hasValueSatisfying(p -> assertThat(p).contains("bucket 'other'"));
    assertThat(problem(policy, "https://data.example.org/x")).isEmpty();
    assertThat(problem(policy, "https://a.b.example.org./x")).isEmpty();
    assertThat(problem(policy, "https://example.org/x")).isPresent();
    assertThat(problem(policy, "https://evil.org/x?host=data.example.org")).isPresent();
  }

  @Test
  void hostEntriesAreCheckedAndNormalized() {
    TransferPolicy policy = TransferPolicy.builder()
        .allowHosts(" Data.Example.ORG ", "[::1]", "::FFFF:127.0.0.1", "2130706433", "*.Example.net", "*")
        .build();
    assertThat(policy.hosts()).containsExactly("data.example.org", "::1", "127.0.0.1", "*.example.net", "*");
    for (String bad : List.of("", "a.*.org", "**", "http://x", "host/path", "a b", "*.1.2.3", "0177.0.0.1", "[::1",
        "user@host", "::1::2", "a\nb")) {
      assertThatThrownBy(() -> TransferPolicy.builder().allowHosts(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("invalid host");
    }
    assertThatThrownBy(() -> TransferPolicy.builder().allowSchemes("ht tp"))
        .hasMessageContaining("invalid URL scheme");
  }

  @Test
  void theParametersRoundTrip() {
    TransferPolicy policy = SERVER.toBuilder().allowHosts("*", "127.0.0.1").build();
    Map<String, String> parameters = policy.toParameters();
    assertThat(parameters).containsExactly(
        Map.entry(TransferPolicy.ALLOW_SCHEMES, "http,https,ftp,s3"),
        Map.entry(TransferPolicy.ALLOW_HOSTS, "*,127.0.0.1"),
        Map.entry(TransferPolicy.PRIVATE_ADDRESSES, "refuse"));
    assertThat(TransferPolicy.fromParameters(parameters)).isEqualTo(policy);
    assertThat(TransferPolicy.fromParameters(Map.of())).isEqualTo(TransferPolicy.permissive());
    assertThatThrownBy(() -> TransferPolicy.fromParameters(Map.of("privateAddresses", "maybe")))
        .hasMessage("privateAddresses=maybe: must be allow or refuse");
    assertThatThrownBy(() -> TransferPolicy.fromParameters(Map.of("allowHosts", "a.*.b")))
        .hasMessageStartingWith("allowHosts=a.*.b: invalid host");
  }

  @Test
  void settingsTakeThePolicyAndTheFileRootsFromParameters() {
    TransferSettings none = TransferSettings.builder()
        .policyParameters(Map.of("fileRoots", "", "privateAddresses", "refuse", "runtime", "host"))
        .build();
    assertThat(none.fileRoots()).contains(List.of());
    assertThat(none.policy().privateAddressesAllowed()).isFalse();
    TransferSettings two = TransferSettings.builder().policyParameters(Map.of("fileRoots", "/data, /scratch")).build();
    assertThat(two.fileRoots()).contains(List.of(Path.of("/data"), Path.of("/scratch")));
    assertThat(two.policy()).isEqualTo(TransferPolicy.permissive());
    assertThat(two.toBuilder().build()).isEqualTo(two);
    assertThatThrownBy(() -> TransferSettings.builder().policyParameters(Map.of("fileRoots", "data")))
        .hasMessageContaining("fileRoots=data: data is not an absolute path");
    assertThat(TransferPolicy.fileRootsParameter(List.of(Path.of("/a"), Path.of("/b")))).isEqualTo("/a,/b");
    assertThatThrownBy(() -> TransferPolicy.fileRootsParameter(List.of(Path.of("/a,b"))))
        .hasMessageContaining("comma");
  }

  @Test
  void transfersCheckThePolicyBeforeTouchingAnything() {
    try (Transfers transfers = Transfers.create(TransferSettings.builder().policy(SERVER).build())) {
      TransferException refused = catchThrowableOfType(
          TransferException.class, () -> transfers.download("http://0x7f.1:1/x", Path.of("/nonexistent/x")));
      assertThat(refused.reason()).isEqualTo(Reason.NOT_ALLOWED);
      assertThat(refused.getMessage()).startsWith("http://0x7f.1:1/x: the address 127.0.0.1");
      assertThat(catchThrowableOfType(TransferException.class, () -> transfers.stat("gs://b/x")).reason())
          .isEqualTo(Reason.NOT_ALLOWED);
    }
  }

  @Test
  void hostsThatNoStorageCouldReachAreInvalidUrls() {
    for (String url : List.of("http://[::1/x", "http://::1]/x", "http://[[::1]]/x", "http://a b/x", "ftp://a\tb/x",
        "http://[]/x")) {
      TransferException e = catchThrowableOfType(TransferException.class, () -> StorageUrl.parse(url));
      assertThat(e).as(url).isNotNull();
      assertThat(e.reason()).isEqualTo(Reason.INVALID_URL);
    }
    assertThat(StorageUrl.parse("http://[::1]:8080/x").host()).isEqualTo("[::1]");
    assertThat(StorageUrl.parse("s3://my_bucket/x").host()).isEqualTo("my_bucket");
  }
}
