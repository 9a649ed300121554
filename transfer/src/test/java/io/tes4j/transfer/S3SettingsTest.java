package io.tes4j.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.transfer.S3Settings.PayloadSigning;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3SettingsTest {

  @Test
  void payloadSigningIsAutoUnlessSet() {
    assertThat(S3Settings.anonymous().payloadSigning()).isEqualTo(PayloadSigning.AUTO);
    assertThat(S3Settings.builder().build().payloadSigning()).isEqualTo(PayloadSigning.AUTO);
    assertThat(new S3Settings(null, null, null, null, null, false).payloadSigning()).isEqualTo(PayloadSigning.AUTO);
    assertThat(new S3Settings(null, null, null, null, null, false, null).payloadSigning())
        .isEqualTo(PayloadSigning.AUTO);
    assertThat(S3Settings.builder().payloadSigning(PayloadSigning.NEVER).build().payloadSigning())
        .isEqualTo(PayloadSigning.NEVER);
  }

  @Test
  void autoSignsOverHttpOnly() {
    assertThat(PayloadSigning.AUTO.signsOver("http")).isTrue();
    assertThat(PayloadSigning.AUTO.signsOver("https")).isFalse();
    assertThat(PayloadSigning.ALWAYS.signsOver("http")).isTrue();
    assertThat(PayloadSigning.ALWAYS.signsOver("https")).isTrue();
    assertThat(PayloadSigning.NEVER.signsOver("http")).isFalse();
    assertThat(PayloadSigning.NEVER.signsOver("https")).isFalse();
  }

  @Test
  void theEnvironmentSetsPayloadSigning() {
    assertThat(S3Settings.fromEnvironment(Map.of()).payloadSigning()).isEqualTo(PayloadSigning.AUTO);
    for (var entry :
        Map.of(
                "never", PayloadSigning.NEVER,
                " Always ", PayloadSigning.ALWAYS,
                "AUTO", PayloadSigning.AUTO,
                "false", PayloadSigning.NEVER,
                "true", PayloadSigning.ALWAYS)
            .entrySet()) {
      S3Settings s3 = S3Settings.fromEnvironment(Map.of("TES4J_S3_PAYLOAD_SIGNING", entry.getKey()));
      assertThat(s3.payloadSigning()).as(entry.getKey()).isEqualTo(entry.getValue());
    }
    assertThatThrownBy(() -> S3Settings.fromEnvironment(Map.of("TES4J_S3_PAYLOAD_SIGNING", "sometimes")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TES4J_S3_PAYLOAD_SIGNING")
        .hasMessageContaining("auto, always or never")
        .hasMessageContaining("'sometimes'");
  }

  @Test
  void toBuilderKeepsEverything() {
    S3Settings s3 =
        S3Settings.builder()
            .endpoint(URI.create("http://127.0.0.1:9000"))
            .region("eu-west-1")
            .accessKey("key")
            .secretKey("secret-Jq2")
            .sessionToken("token-Xw9")
            .pathStyle(true)
            .payloadSigning(PayloadSigning.NEVER)
            .build();
    assertThat(s3.toBuilder().build()).isEqualTo(s3);
    assertThat(s3.toString())
        .contains("payloadSigning=NEVER")
        .doesNotContain("secret-Jq2")
        .doesNotContain("token-Xw9");
  }
}
