package io.tes4j.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tes4j.model.Input;
import io.tes4j.model.Task;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Passwords, tokens and keys never show in toString(), messages or logs. */
class SecretsTest {
  static final String PASSWORD = "pw-Hunter2";
  static final String TOKEN = "tok-Zx81";
  static final String SECRET_KEY = "sk-Q7Q7";
  static final String SESSION = "st-R2D2";

  @TempDir Path tmp;

  @Test
  void settingsAndCredentialsHideTheirSecrets() {
    TransferSettings settings = TransferSettings.builder()
        .s3(S3Settings.builder().endpoint(URI.create("http://127.0.0.1:9000"))
            .accessKey("AKIA-visible").secretKey(SECRET_KEY).sessionToken(SESSION).build())
        .credentials(Credentials.password("ftp.example.org", "anna", PASSWORD))
        .credentials(Credentials.bearer("data.example.org", TOKEN))
        .build();

    assertThat(settings.toString())
        .contains("AKIA-visible", "anna", "ftp.example.org", "data.example.org")
        .doesNotContain(PASSWORD, TOKEN, SECRET_KEY, SESSION);
    assertThat(StorageUrl.parse("ftp://anna:" + PASSWORD + "@h/x").toString()).isEqualTo("ftp://anna:****@h/x");
    try (Transfers transfers = Transfers.create(settings)) {
      assertThat(transfers.settings().toString()).doesNotContain(PASSWORD, TOKEN, SECRET_KEY, SESSION);
    }
  }

  @Test
  void noMessageOrLogLineCarriesAPassword() throws IOException {
    List<Throwable> failures = new ArrayList<>();
    String logged;
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (TestHttpStore store = TestHttpStore.start()) {
      store.put("/x.txt", new byte[] {1});
      store.requireAuthorization("127.0.0.1", "Bearer the-right-one");
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try (Transfers transfers = Transfers.create(TestData.quick()
          .credentials(Credentials.bearer("127.0.0.1", TOKEN)).build())) {
        String withPassword = "http://anna:" + PASSWORD + "@127.0.0.1:" + store.port();
        failures.add(catchThrowable(() -> transfers.download(withPassword + "/x.txt", tmp.resolve("a"))));
        failures.add(catchThrowable(() -> transfers.download(store.url("/x.txt"), tmp.resolve("b"))));
        failures.add(catchThrowable(() -> transfers.download(withPassword + "/missing", tmp.resolve("c"))));
        failures.add(catchThrowable(() -> transfers.upload(tmp.resolve("none"), withPassword + "/u")));
        failures.add(catchThrowable(() -> transfers.download("gopher://anna:" + PASSWORD + "@h/x", tmp.resolve("d"))));
        failures.add(catchThrowable(() -> transfers.download("ftp://anna:" + PASSWORD + "@h:99999/x", tmp.resolve("e"))));
        failures.add(catchThrowable(() -> transfers.list(withPassword + "/dir/")));
        failures.add(catchThrowable(() -> new Stager(transfers).stageInputs(
            Task.builder().addInput(Input.ofUrl(withPassword + "/missing", "/in/m")).build(), tmp.resolve("w"))));
        failures.add(catchThrowable(() -> transfers.download(
            "http://127.0.0.1:" + store.port() + "/x.txt?X-Amz-Signature=" + PASSWORD, tmp.resolve("f"))));
      }
    } finally {
      System.setErr(original);
      logged = captured.toString(StandardCharsets.UTF_8);
    }

    assertThat(failures).hasSize(9).doesNotContainNull();
    for (Throwable failure : failures) {
      assertThat(failure).isInstanceOf(TransferException.class);
      for (Throwable t = failure; t != null; t = t.getCause()) {
        assertThat(String.valueOf(t.getMessage())).doesNotContain(PASSWORD, TOKEN);
        assertThat(t.toString()).doesNotContain(PASSWORD, TOKEN);
      }
    }
    // The transfer code logs each request at DEBUG (see simplelogger.properties): the log is not
    // empty, and holds no secret.
    assertThat(logged).contains("DEBUG io.tes4j.transfer").contains("127.0.0.1");
    assertThat(logged).doesNotContain(PASSWORD, TOKEN);
  }
}
