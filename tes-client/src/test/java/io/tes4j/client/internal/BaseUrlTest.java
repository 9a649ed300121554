package io.tes4j.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class BaseUrlTest {
  @Test
  void anEmptyPathBecomesTheSpecPath() {
    assertThat(BaseUrl.parse("http://h").uri()).hasToString("http://h/ga4gh/tes/v1");
    assertThat(BaseUrl.parse("http://h:8000/").uri()).hasToString("http://h:8000/ga4gh/tes/v1");
  }

  @Test
  void aGivenPathIsKeptWithoutTrailingSlashes() {
    assertThat(BaseUrl.parse("http://h:8000/v1//").uri()).hasToString("http://h:8000/v1");
    assertThat(BaseUrl.parse("https://h/my%20tes/ga4gh/tes/v1").uri())
        .hasToString("https://h/my%20tes/ga4gh/tes/v1");
  }

  @Test
  void ipv6HostsAreKept() {
    assertThat(BaseUrl.parse("http://[::1]:8000").uri())
        .hasToString("http://[::1]:8000/ga4gh/tes/v1");
  }

  @Test
  void userInfoIsDecodedAndTakenOut() {
    BaseUrl url = BaseUrl.parse("http://al%20ice:p%3Aw+d@h/x");

    assertThat(url.uri()).hasToString("http://h/x");
    assertThat(url.user()).isEqualTo("al ice");
    assertThat(url.password()).isEqualTo("p:w+d");
    assertThat(url).hasToString("http://h/x");
  }

  @Test
  void aUserWithoutPasswordHasAnEmptyPassword() {
    BaseUrl url = BaseUrl.parse("http://token@h/x");

    assertThat(url.user()).isEqualTo("token");
    assertThat(url.password()).isEmpty();
  }

  @Test
  void redactMasksOnlyThePassword() {
    assertThat(BaseUrl.redact(URI.create("http://u:secret@h/x"))).isEqualTo("http://u:****@h/x");
    assertThat(BaseUrl.redact(URI.create("http://h/x"))).isEqualTo("http://h/x");
  }
}
