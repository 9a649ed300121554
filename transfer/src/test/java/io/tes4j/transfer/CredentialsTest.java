package io.tes4j.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CredentialsTest {
  private static boolean applies(Credentials credentials, String url) {
    return credentials.appliesTo(StorageUrl.parse(url));
  }

  @Test
  void credentialsWithoutAPortApplyToEveryPortOfTheirHostOnly() {
    Credentials any = Credentials.password("Data.Example.org", "alice", "s3cret");

    assertThat(applies(any, "https://data.example.org/a")).isTrue();
    assertThat(applies(any, "http://DATA.example.org:8080/a")).isTrue();
    assertThat(applies(any, "ftp://data.example.org/a")).isTrue();
    assertThat(applies(any, "https://example.org/a")).isFalse();
    assertThat(applies(any, "https://data.example.org.evil.net/a")).isFalse();
    assertThat(applies(any, "/local/path")).isFalse();
  }

  @Test
  void aUrlWithoutAPortIsOnItsSchemesDefaultPort() {
    assertThat(applies(Credentials.bearer("example.org", "t").onPort(443), "https://example.org/a")).isTrue();
    assertThat(applies(Credentials.bearer("example.org", "t").onPort(80), "http://example.org/a")).isTrue();
    assertThat(applies(Credentials.password("example.org", "u", "p").onPort(21), "ftp://example.org/a")).isTrue();
    assertThat(applies(Credentials.password("example.org", "u", "p").onPort(21), "ftps://example.org/a")).isTrue();

    assertThat(applies(Credentials.bearer("example.org", "t").onPort(80), "https://example.org/a")).isFalse();
    assertThat(applies(Credentials.bearer("example.org", "t").onPort(443), "http://example.org/a")).isFalse();
    assertThat(applies(Credentials.bearer("example.org", "t").onPort(443), "https://example.org:8443/a")).isFalse();
    assertThat(applies(Credentials.bearer("example.org", "t").onPort(8443), "https://example.org:8443/a")).isTrue();
  }

  @Test
  void effectivePortsOfTheSchemes() {
    assertThat(StorageUrl.parse("http://h/x").effectivePort()).isEqualTo(80);
    assertThat(StorageUrl.parse("https://h/x").effectivePort()).isEqualTo(443);
    assertThat(StorageUrl.parse("ftp://h/x").effectivePort()).isEqualTo(21);
    assertThat(StorageUrl.parse("https://h:9000/x").effectivePort()).isEqualTo(9000);
    assertThat(StorageUrl.parse("s3://bucket/x").effectivePort()).isEqualTo(-1);
    assertThat(StorageUrl.parse("/tmp/x").effectivePort()).isEqualTo(-1);
  }

  @Test
  void theSecretNeverShows() {
    assertThat(Credentials.password("example.org", "alice", "s3cret-pw").onPort(443).toString())
        .contains("example.org:443", "alice")
        .doesNotContain("s3cret-pw");
    assertThat(Credentials.bearer("example.org", "tok-123").toString()).doesNotContain("tok-123");
  }

  @Test
  void credentialsNeedAHost() {
    assertThatThrownBy(() -> Credentials.bearer(" ", "t")).hasMessageContaining("host");
  }
}
