package io.tes4j.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.tes4j.client.Fixtures.BASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.tes4j.api.TesAuthException;
import io.tes4j.api.TesClient;
import io.tes4j.api.TesClientException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Basic and bearer auth, extra headers, the one-time token refresh, and never showing a secret. */
class TesHttpClientAuthTest {
  @RegisterExtension static WireMockExtension wm = Fixtures.wireMock();

  private static final String SERVICE_INFO = BASE + "/service-info";

  private static void stubServiceInfo() {
    wm.stubFor(get(SERVICE_INFO).willReturn(okJson("{\"name\": \"secured\"}")));
  }

  @Test
  void basicAuthSendsTheExactHeaderInUtf8() {
    stubServiceInfo();
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString("alice:s3cret pässword".getBytes(StandardCharsets.UTF_8));

    try (TesHttpClient client =
        Fixtures.client(wm).auth(TesAuth.basic("alice", "s3cret pässword")).build()) {
      client.serviceInfo();
    }
    wm.verify(
        1,
        getRequestedFor(urlEqualTo(SERVICE_INFO)).withHeader("Authorization", equalTo(expected)));
  }

  @Test
  void basicAuthFromACharArrayLeavesTheCallersArrayAlone() {
    stubServiceInfo();
    char[] password = "pw".toCharArray();

    try (TesHttpClient client = Fixtures.client(wm).auth(TesAuth.basic("bob", password)).build()) {
      client.serviceInfo();
    }
    assertThat(password).containsExactly('p', 'w');
    wm.verify(
        getRequestedFor(urlEqualTo(SERVICE_INFO))
            .withHeader(
                "Authorization",
                equalTo(
                    "Basic "
                        + Base64.getEncoder()
                            .encodeToString("bob:pw".getBytes(StandardCharsets.UTF_8)))));
  }

  @Test
  void noAuthSendsNoAuthorizationHeader() {
    stubServiceInfo();

    try (TesHttpClient client = Fixtures.client(wm).build()) {
      client.serviceInfo();
    }
    wm.verify(getRequestedFor(urlEqualTo(SERVICE_INFO)).withHeader("Authorization", absent()));
  }

  @Test
  void bearerAuthSendsTheToken() {
    stubServiceInfo();

    try (TesHttpClient client = Fixtures.client(wm).auth(TesAuth.bearer("tok-123")).build()) {
      client.serviceInfo();
    }
    wm.verify(
        getRequestedFor(urlEqualTo(SERVICE_INFO))
            .withHeader("Authorization", equalTo("Bearer tok-123")));
  }

  @Test
  void extraHeadersGoOnEveryRequestAndALaterValueReplacesAnEarlierOne() {
    stubServiceInfo();

    try (TesHttpClient client =
        Fixtures.client(wm)
            .header("X-Api-Key", "old")
            .header("x-api-key", "k-42")
            .header("X-Request-Source", "nightly")
            .userAgent("my-pipeline/2.0")
            .build()) {
      client.serviceInfo();
      client.serviceInfo();
    }
    wm.verify(
        2,
        getRequestedFor(urlEqualTo(SERVICE_INFO))
            .withHeader("x-api-key", equalTo("k-42"))
            .withHeader("X-Request-Source", equalTo("nightly"))
            .withHeader("User-Agent", equalTo("my-pipeline/2.0")));
    assertThat(
            wm.findAll(getRequestedFor(urlEqualTo(SERVICE_INFO)))
                .get(0)
                .header("X-Api-Key")
                .values())
        .containsExactly("k-42");
  }

  @Test
  void aRefusedTokenIsRefreshedOnceAndTheFreshTokenIsKept() {
    wm.stubFor(
        get(SERVICE_INFO)
            .withHeader("Authorization", equalTo("Bearer expired"))
            .willReturn(aResponse().withStatus(401)));
    wm.stubFor(
        get(SERVICE_INFO)
            .withHeader("Authorization", equalTo("Bearer fresh"))
            .willReturn(okJson("{\"name\": \"secured\"}")));
    AtomicInteger asked = new AtomicInteger();
    Supplier<String> tokens = () -> asked.incrementAndGet() == 1 ? "expired" : "fresh";

    try (TesHttpClient client = Fixtures.client(wm).auth(TesAuth.bearer(tokens)).build()) {
      assertThat(client.serviceInfo().name()).isEqualTo("secured");
      assertThat(asked).hasValue(2);

      assertThat(client.serviceInfo().name()).isEqualTo("secured");
      assertThat(asked).hasValue(2); // the fresh token is reused, not asked for again
    }
    wm.verify(
        1,
        getRequestedFor(urlEqualTo(SERVICE_INFO))
            .withHeader("Authorization", equalTo("Bearer expired")));
    wm.verify(
        2,
        getRequestedFor(urlEqualTo(SERVICE_INFO))
            .withHeader("Authorization", equalTo("Bearer fresh")));
  }

  @Test
  void aSecond401AfterRefreshingIsTesAuthException() {
    wm.stubFor(get(SERVICE_INFO).willReturn(aResponse().withStatus(401)));
    AtomicInteger asked = new AtomicInteger();

    try (TesHttpClient client =
        Fixtures.client(wm)
            .auth(TesAuth.bearer(() -> "token-" + asked.incrementAndGet()))
            .build()) {
      TesAuthException e = catchThrowableOfType(TesAuthException.class, client::serviceInfo);

      assertThat(e.statusCode()).isEqualTo(401);
      assertThat(e.getMessage())
          .contains("also with a fresh token from the token supplier")
          .doesNotContain("token-1")
          .doesNotContain("token-2");
    }
    assertThat(asked).hasValue(2);
    wm.verify(2, getRequestedFor(urlEqualTo(SERVICE_INFO)));
    wm.verify(
        getRequestedFor(urlEqualTo(SERVICE_INFO))
            .withHeader("Authorization", equalTo("Bearer token-2")));
  }

  @Test
  void aFixedTokenRefusedWith401IsNotSentAgain() {
    wm.stubFor(get(SERVICE_INFO).willReturn(aResponse().withStatus(401)));

    try (TesHttpClient client = Fixtures.client(wm).auth(TesAuth.bearer("wrong-token")).build()) {
      TesAuthException e = catchThrowableOfType(TesAuthException.class, client::serviceInfo);
      assertThat(e.getMessage()).doesNotContain("wrong-token");
    }
    wm.verify(1, getRequestedFor(urlEqualTo(SERVICE_INFO)));
  }

  @Test
  void aFailingTokenSupplierFailsTheCallWithoutSendingIt() {
    try (TesHttpClient client =
        Fixtures.client(wm)
            .auth(
                TesAuth.bearer(
                    () -> {
                      throw new IllegalStateException("token service down");
                    }))
            .build()) {
      TesClientException e = catchThrowableOfType(TesClientException.class, client::serviceInfo);

      assertThat(e.getMessage())
          .isEqualTo("the bearer token supplier failed: java.lang.IllegalStateException");
      assertThat(e.getCause()).hasMessage("token service down");
    }
    wm.verify(0, getRequestedFor(urlEqualTo(SERVICE_INFO)));
  }

  @Test
  void userInfoInTheBaseUrlMeansBasicAuthAndIsNeverShown() {
    stubServiceInfo();
    String url = "http://carol:p%40ss:w0rd@127.0.0.1:" + wm.getPort() + BASE;

    try (TesClient client = TesClient.connect(url)) {
      assertThat(client).isInstanceOf(TesHttpClient.class);
      assertThat(((TesHttpClient) client).baseUrl().toString()).isEqualTo(Fixtures.baseUrl(wm));
      assertThat(client.toString())
          .doesNotContain("p@ss")
          .doesNotContain("p%40ss")
          .doesNotContain("carol");
      client.serviceInfo();
    }
    wm.verify(
        getRequestedFor(urlEqualTo(SERVICE_INFO))
            .withHeader(
                "Authorization",
                equalTo(
                    "Basic "
                        + Base64.getEncoder()
                            .encodeToString("carol:p@ss:w0rd".getBytes(StandardCharsets.UTF_8)))));
  }

  @Test
  void toStringsNeverShowPasswordsTokensOrHeaderValues() {
    TesAuth basic = TesAuth.basic("alice", "hunter2");
    TesAuth bearer = TesAuth.bearer("tok-secret");
    TesAuth supplied = TesAuth.bearer(() -> "tok-supplied");

    assertThat(basic).hasToString("TesAuth[basic user=alice password=****]");
    assertThat(bearer).hasToString("TesAuth[bearer ****]");
    assertThat(supplied.toString())
        .startsWith("TesAuth[bearer ****")
        .doesNotContain("tok-supplied");
    assertThat(TesAuth.none()).hasToString("TesAuth[none]");

    TesHttpClient.Builder builder =
        TesHttpClient.builder()
            .baseUrl(Fixtures.baseUrl(wm))
            .auth(basic)
            .header("X-Api-Key", "key-secret");
    assertThat(builder.toString())
        .contains("TesAuth[basic user=alice password=****]", "X-Api-Key=****")
        .doesNotContain("hunter2")
        .doesNotContain("key-secret");
    try (TesHttpClient client = builder.build()) {
      assertThat(client).hasToString("TesHttpClient[" + Fixtures.baseUrl(wm) + ", auth=basic]");
    }
    try (TesHttpClient client = Fixtures.client(wm).auth(bearer).build()) {
      assertThat(client.toString()).doesNotContain("tok-secret").endsWith("auth=bearer]");
    }
    assertThat(TesHttpClient.builder().baseUrl("http://dave:pw-secret@h:1/x").toString())
        .contains("dave:****@h:1/x")
        .doesNotContain("pw-secret");
  }

  @Test
  void theDebugLogNamesCallsButNeverCredentials() throws Exception {
    stubServiceInfo();
    wm.stubFor(get(BASE + "/tasks/logged?view=FULL").willReturn(aResponse().withStatus(401)));
    try (TesHttpClient basic =
            Fixtures.client(wm).auth(TesAuth.basic("erin", "log-pw-secret")).build();
        TesHttpClient bearer =
            Fixtures.client(wm)
                .auth(TesAuth.bearer(() -> "log-token-secret"))
                .header("X-Key", "log-key-secret")
                .build()) {
      basic.serviceInfo();
      catchThrowableOfType(TesAuthException.class, () -> bearer.getTask("logged"));
    }

    // slf4j-simple writes the log file configured in src/test/resources/simplelogger.properties.
    String log = Files.readString(Path.of("target/tes-client-test.log"));
    assertThat(log)
        .contains("GET " + Fixtures.baseUrl(wm) + "/service-info -> 200")
        .contains("GET " + Fixtures.baseUrl(wm) + "/tasks/logged?view=FULL -> 401")
        .doesNotContain("log-pw-secret")
        .doesNotContain(
            Base64.getEncoder()
                .encodeToString("erin:log-pw-secret".getBytes(StandardCharsets.UTF_8)))
        .doesNotContain("log-token-secret")
        .doesNotContain("log-key-secret");
  }
}
