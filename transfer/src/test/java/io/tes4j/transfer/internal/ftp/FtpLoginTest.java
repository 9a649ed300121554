package io.tes4j.transfer.internal.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.transfer.Credentials;
import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferSettings;
import org.junit.jupiter.api.Test;

/** Who logs in: URL user info, then configured credentials for the host, then anonymous. */
class FtpLoginTest {
  private static final TransferSettings CONFIGURED = TransferSettings.builder()
      .credentials(Credentials.password("ftp.example.org", "carol", "from-settings"))
      .credentials(Credentials.bearer("tokens.example.org", "a-token"))
      .build();

  @Test
  void theUrlsUserInfoWins() {
    FtpLogin login = FtpLogin.of(StorageUrl.parse("ftp://dave:from-url@FTP.example.org/x"), CONFIGURED);

    assertThat(login).isEqualTo(new FtpLogin(false, "ftp.example.org", 21, "dave", "from-url", false));
  }

  @Test
  void aUserWithoutPasswordTakesTheConfiguredPasswordOnlyIfItIsTheSameUser() {
    assertThat(FtpLogin.of(StorageUrl.parse("ftp://carol@ftp.example.org/x"), CONFIGURED).password())
        .isEqualTo("from-settings");
    assertThat(FtpLogin.of(StorageUrl.parse("ftp://dave@ftp.example.org/x"), CONFIGURED).password()).isEmpty();
  }

  @Test
  void configuredCredentialsApplyToTheirHostOnly() {
    assertThat(FtpLogin.of(StorageUrl.parse("ftps://ftp.example.org:2121/x"), CONFIGURED))
        .isEqualTo(new FtpLogin(true, "ftp.example.org", 2121, "carol", "from-settings", false));
    FtpLogin elsewhere = FtpLogin.of(StorageUrl.parse("ftp://other.example.org/x"), CONFIGURED);
    assertThat(elsewhere.anonymous()).isTrue();
    assertThat(elsewhere.user()).isEqualTo("anonymous");
  }

  @Test
  void aBearerTokenIsNoFtpLogin() {
    assertThat(FtpLogin.of(StorageUrl.parse("ftp://tokens.example.org/x"), CONFIGURED).anonymous()).isTrue();
  }

  @Test
  void textNeverShowsThePassword() {
    FtpLogin login = FtpLogin.of(StorageUrl.parse("ftp://carol@ftp.example.org/x"), CONFIGURED);

    assertThat(login.toString()).doesNotContain("from-settings").contains("carol", "****");
    assertThat(login.mask("530 bad password from-settings")).isEqualTo("530 bad password ****");
    assertThat(login.where()).isEqualTo("ftp.example.org");
  }
}
