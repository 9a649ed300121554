package io.tes4j.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.transfer.internal.Netrc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FTP and HTTP passwords come from the netrc file, as curl and wget take them. */
class NetrcTest {

  @Test
  void machinesOnOneOrManyLinesBecomeCredentialsForTheirHostOnly() {
    String text =
        "# data servers\n"
            + "machine ftp.example.org login alice password s3cr3t\n"
            + "machine data.example.org\n  login bob\n  password pa55\n";

    var credentials = Netrc.parse(text);

    assertThat(credentials)
        .containsExactly(
            Credentials.password("ftp.example.org", "alice", "s3cr3t"),
            Credentials.password("data.example.org", "bob", "pa55"));
    assertThat(credentials.get(0).appliesTo(StorageUrl.parse("ftp://ftp.example.org/x"))).isTrue();
    assertThat(credentials.get(0).appliesTo(StorageUrl.parse("ftp://other.example.org/x"))).isFalse();
  }

  @Test
  void aDefaultEntryIsNeverUsedBecauseItWouldGoToEveryHost() {
    var credentials =
        Netrc.parse("default login anonymous password guest\nmachine h login u password p\n");

    assertThat(credentials).containsExactly(Credentials.password("h", "u", "p"));
  }

  @Test
  void macrosAndIncompleteEntriesAreSkipped() {
    var credentials =
        Netrc.parse(
            "macdef init\ncd /pub\nbinary\n\nmachine a login x\nmachine b login y password z\n");

    assertThat(credentials).containsExactly(Credentials.password("b", "y", "z"));
  }

  @Test
  void fromEnvironmentReadsNetrcThenHome(@TempDir Path dir) throws Exception {
    Path named = dir.resolve("named-netrc");
    Files.writeString(named, "machine named.example.org login n password p1\n");
    Path home = dir.resolve("home");
    Files.createDirectories(home);
    Files.writeString(home.resolve(".netrc"), "machine home.example.org login h password p2\n");

    TransferSettings fromNetrc =
        TransferSettings.fromEnvironment(Map.of("NETRC", named.toString(), "HOME", home.toString()));
    TransferSettings fromHome = TransferSettings.fromEnvironment(Map.of("HOME", home.toString()));
    TransferSettings none = TransferSettings.fromEnvironment(Map.of("HOME", dir.resolve("nobody").toString()));

    assertThat(fromNetrc.credentials()).containsExactly(Credentials.password("named.example.org", "n", "p1"));
    assertThat(fromHome.credentials()).containsExactly(Credentials.password("home.example.org", "h", "p2"));
    assertThat(none.credentials()).isEmpty();
    assertThat(fromNetrc.toString()).doesNotContain("p1");
  }

  @Test
  void anUnreadableNetrcNamedExplicitlyIsAnError(@TempDir Path dir) {
    Path missing = dir.resolve("missing");

    assertThatThrownBy(() -> TransferSettings.fromEnvironment(Map.of("NETRC", missing.toString())))
        .isInstanceOf(TransferException.class)
        .hasMessageContaining("cannot read the netrc file");
  }
}
