package io.tes4j.client;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.tes4j.api.TesClient;
import io.tes4j.api.TesClientException;
import io.tes4j.api.spi.TesClientProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code TesClient.connect} finds this module's provider for http and https URIs. */
class HttpTesClientProviderTest {
  @RegisterExtension static WireMockExtension wm = Fixtures.wireMock();

  @Test
  void connectWithAnHttpUriReturnsAWorkingHttpClient() {
    wm.stubFor(get(Fixtures.BASE + "/service-info").willReturn(okJson("{\"name\": \"found\"}")));

    try (TesClient client = TesClient.connect(Fixtures.baseUrl(wm))) {
      assertThat(client).isInstanceOf(TesHttpClient.class);
      assertThat(((TesHttpClient) client).baseUrl()).hasToString(Fixtures.baseUrl(wm));
      assertThat(client.serviceInfo().name()).isEqualTo("found");
    }
  }

  @Test
  void theProviderIsRegisteredForHttpAndHttps() {
    TesClientProvider provider =
        ServiceLoader.load(TesClientProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.name().equals("tes-client (HTTP)"))
            .findFirst()
            .orElseThrow();

    assertThat(provider.schemes()).containsExactlyInAnyOrder("http", "https");
    try (TesClient client = TesClient.connect("https://tes.example.org")) {
      assertThat(((TesHttpClient) client).baseUrl())
          .hasToString("https://tes.example.org/ga4gh/tes/v1");
    }
  }

  @Test
  void aUriWithSettingsIsRefusedWithoutShowingThemOrAPassword() {
    assertThatThrownBy(
            () -> TesClient.connect("http://u:pw-secret@127.0.0.1:1/ga4gh/tes/v1?token=tk-secret"))
        .isInstanceOf(TesClientException.class)
        .hasMessage(
            "tes-client (HTTP) understands no URI settings yet: remove the query ('?...') from"
                + " http://u:****@127.0.0.1:1/ga4gh/tes/v1 and configure the client with"
                + " TesHttpClient.builder() instead");
  }

  @Test
  void aBadHttpUriIsATesClientException() {
    assertThatThrownBy(() -> TesClient.connect("http://tes_server:8000"))
        .isInstanceOf(TesClientException.class)
        .hasMessageStartingWith("the base URL has no valid host name");
  }
}
