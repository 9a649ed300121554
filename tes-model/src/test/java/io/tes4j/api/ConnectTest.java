package io.tes4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * {@link TesClient#connect}: which provider opens a URI. No provider is on this module's class path
 * (tes-client brings http and https), so every URI fails, and the message says how to fix it.
 */
class ConnectTest {

  @Test
  void anUnknownSchemeListsTheProvidersAndHowToFixIt() {
    TesClientException e = catchThrowableOfType(TesClientException.class, () -> TesClient.connect("k8s://cluster/ns"));

    assertThat(e)
        .hasMessage(
            "no tes4j provider handles the scheme 'k8s' of k8s://cluster/ns. Providers found: none."
                + " Add the module that provides this scheme to the class path (tes-client for http and https).");
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void httpNeedsTesClientOnTheClassPath() {
    TesClientException e =
        catchThrowableOfType(TesClientException.class, () -> TesClient.connect(URI.create("HTTPS://tes.example.org/ga4gh/tes/v1")));

    assertThat(e.getMessage()).contains("scheme 'https'", "Providers found: none", "tes-client for http and https");
  }

  @Test
  void messagesLeaveOutTheQueryAndThePasswordOfTheUserInfo() {
    TesClientException unknown = catchThrowableOfType(TesClientException.class,
        () -> TesClient.connect("mock:?store=jdbc:postgresql://db/tes&store.password=s3cret"));
    assertThat(unknown.getMessage()).startsWith("no tes4j provider handles the scheme 'mock' of mock:?.... ")
        .doesNotContain("s3cret");

    TesClientException invalid = catchThrowableOfType(TesClientException.class,
        () -> TesClient.connect("mock:?store=jdbc:sqlite:C:\\tasks.db&store.password=s3cret"));
    assertThat(invalid).hasMessage("cannot connect to 'mock:?...': not a valid URI: Illegal character in opaque part at index 26")
        .hasNoCause();

    TesClientException userInfo = catchThrowableOfType(TesClientException.class,
        () -> TesClient.connect("k8s://admin:s3cret@cluster/ns?token=t0ken"));
    assertThat(userInfo.getMessage()).contains("of k8s://***@cluster/ns?...").doesNotContain("s3cret", "t0ken");
  }

  @Test
  void aUriWithoutASchemeSaysWhatOneLooksLike() {
    TesClientException e = catchThrowableOfType(TesClientException.class, () -> TesClient.connect("tes.example.org"));

    assertThat(e.getMessage()).contains("'tes.example.org'", "has no scheme", "http://");
  }
}
