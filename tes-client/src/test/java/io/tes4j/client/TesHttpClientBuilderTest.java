package io.tes4j.client;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.tes4j.client.Fixtures.BASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Settings are checked when the client is built, and {@code newBuilder()} derives clients. */
class TesHttpClientBuilderTest {
  @RegisterExtension static WireMockExtension wm = Fixtures.wireMock();

  @Test
  void aBuilderWithoutBaseUrlSaysWhatIsMissing() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TesHttpClient.builder().build())
        .withMessage(
            "no base URL: call baseUrl(...), e.g. baseUrl(\"http://localhost:8000/ga4gh/tes/v1\")");
  }

  @Test
  void onlyHttpAndHttpsBaseUrlsAreAccepted() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TesHttpClient.create("ftp://h/ga4gh/tes/v1"))
        .withMessage(
            "the base URL must start with http:// or https://, was 'ftp://h/ga4gh/tes/v1' (e.g."
                + " http://localhost:8000/ga4gh/tes/v1)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TesHttpClient.create("localhost:8000"))
        .withMessageStartingWith("the base URL must start with http:// or https://");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TesHttpClient.create("http://tes_server:8000/"))
        .withMessageStartingWith("the base URL has no valid host name: 'http://tes_server:8000/'");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TesHttpClient.create("http://h/ga4gh/tes/v1?view=FULL"))
        .withMessageStartingWith("the base URL must not have a query");
  }

  @Test
  void aMalformedBaseUrlIsRefusedWithoutRepeatingAPassword() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TesHttpClient.create("http://u:sec ret@h/x"))
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .startsWith("invalid base URL: ")
                    .doesNotContain("sec ret"));
  }

  @Test
  void timeoutsMustBePositive() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Fixtures.client(wm).requestTimeout(Duration.ofSeconds(-1)).build())
        .withMessage("requestTimeout must be positive, was PT-1S");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Fixtures.client(wm).connectTimeout(Duration.ZERO).build())
        .withMessage("connectTimeout must be positive, was PT0S");
  }

  @Test
  void headersTheClientOwnsOrThatBreakTheRequestAreRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Fixtures.client(wm).header("User-Agent", "x").build())
        .withMessage("the header User-Agent is set by the client: use userAgent(...)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Fixtures.client(wm).header("Host", "x").build())
        .withMessage("the header Host is managed by the HTTP client and cannot be set");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Fixtures.client(wm).header("Bad Name", "x").build())
        .withMessage("invalid header name 'Bad Name'");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Fixtures.client(wm).header("X-Key", "secret\r\nInjected: 1").build())
        .withMessage("the value of the header X-Key holds a line break or control character");
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                Fixtures.client(wm)
                    .auth(TesAuth.bearer("t"))
                    .header("Authorization", "Key k")
                    .build())
        .withMessageStartingWith("an Authorization header and auth(...)");
  }

  @Test
  void anAuthorizationHeaderIsAllowedWithoutAuthForCustomSchemes() {
    wm.stubFor(get(BASE + "/service-info").willReturn(okJson("{}")));

    try (TesHttpClient client = Fixtures.client(wm).header("Authorization", "ApiKey k-1").build()) {
      client.serviceInfo();
    }
    wm.verify(
        getRequestedFor(urlEqualTo(BASE + "/service-info"))
            .withHeader("Authorization", equalTo("ApiKey k-1")));
  }

  @Test
  void credentialsInTheUrlAndAnExplicitAuthConflict() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                TesHttpClient.builder().baseUrl("http://u:p@h/x").auth(TesAuth.bearer("t")).build())
        .withMessage(
            "the base URL holds credentials (user:password@) and auth(...) is also set: use one of"
                + " them");
  }

  @Test
  void newBuilderKeepsTheSettingsAndSharesTheHttpClient() {
    wm.stubFor(get(BASE + "/service-info").willReturn(okJson("{\"name\": \"x\"}")));
    wm.stubFor(get("/other/service-info").willReturn(okJson("{\"name\": \"y\"}")));

    TesHttpClient second;
    try (TesHttpClient first =
        Fixtures.client(wm).auth(TesAuth.bearer("t-1")).header("X-Team", "genomics").build()) {
      second = first.newBuilder().baseUrl("http://127.0.0.1:" + wm.getPort() + "/other").build();
    }
    try (second) { // the first client is closed: that leaves the derived one working
      assertThat(second.serviceInfo().name()).isEqualTo("y");
      assertThat(second)
          .hasToString("TesHttpClient[http://127.0.0.1:" + wm.getPort() + "/other, auth=bearer]");
    }
    wm.verify(
        getRequestedFor(urlEqualTo("/other/service-info"))
            .withHeader("Authorization", equalTo("Bearer t-1"))
            .withHeader("X-Team", equalTo("genomics")));
  }

  @Test
  void baseUrlKeepsHostPortAndPathButDropsCredentials() {
    try (TesHttpClient client =
        TesHttpClient.create(
            URI.create("HTTPS://alice:pw@tes.example.org:8443/api/ga4gh/tes/v1/"))) {
      assertThat(client.baseUrl())
          .isEqualTo(URI.create("https://tes.example.org:8443/api/ga4gh/tes/v1"));
      assertThat(client)
          .hasToString("TesHttpClient[https://tes.example.org:8443/api/ga4gh/tes/v1, auth=basic]");
    }
  }

  @Test
  void retrySettingsAreValidated() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new RetrySettings(0, Duration.ZERO, Duration.ZERO, 0))
        .withMessage("maxAttempts must be between 1 (no retry) and 100, was 0");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new RetrySettings(3, Duration.ofSeconds(2), Duration.ofSeconds(1), 0))
        .withMessage("maxDelay must not be shorter than initialDelay, was PT1S < PT2S");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new RetrySettings(3, Duration.ofMillis(-1), Duration.ofSeconds(1), 0))
        .withMessage("initialDelay must not be negative, was PT-0.001S");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new RetrySettings(3, Duration.ZERO, Duration.ZERO, Double.NaN))
        .withMessage("jitterFactor must be between 0 and 1, was NaN");
    assertThat(RetrySettings.defaults())
        .isEqualTo(new RetrySettings(4, Duration.ofMillis(200), Duration.ofSeconds(10), 0.5));
    assertThat(RetrySettings.none().maxAttempts()).isEqualTo(1);
    assertThat(RetrySettings.defaults().withMaxAttempts(7).maxAttempts()).isEqualTo(7);
  }

  @Test
  void authArgumentsAreValidated() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TesAuth.basic("a:b", "pw"))
        .withMessage("the Basic auth user must not contain ':' (RFC 7617), was 'a:b'");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TesAuth.basic("", "pw"))
        .withMessage("the Basic auth user must not be empty");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TesAuth.bearer(" "))
        .withMessage("the bearer token must not be blank");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TesAuth.bearer("t\nX: y"))
        .withMessage("the bearer token must not contain a line break");
    assertThat(TesAuth.basic("a", "b").kind()).isEqualTo("basic");
    assertThat(TesAuth.bearer(() -> "t").kind()).isEqualTo("bearer");
    assertThat(TesAuth.none().isNone()).isTrue();
  }
}
