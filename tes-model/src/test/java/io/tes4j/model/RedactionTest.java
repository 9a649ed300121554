package io.tes4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Secrets carried in tasks never show in {@code toString()}, which ends up in logs. */
class RedactionTest {

  @Test
  void executorEnvValuesAreMaskedButNamesKept() {
    Executor e =
        Executor.builder()
            .image("alpine")
            .command("env")
            .env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG")
            .env("MODE", "fast")
            .build();

    assertThat(e.toString())
        .doesNotContain("wJalrXUtnFEMI")
        .doesNotContain("fast")
        .contains("AWS_SECRET_ACCESS_KEY=****")
        .contains("MODE=****")
        .contains("image=alpine");
    assertThat(e.env()).containsEntry("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG");
  }

  @Test
  void urlPasswordsAndSignaturesAreMasked() {
    Input ftp = Input.ofUrl("ftp://alice:hunter2@ftp.example.org/data/a.txt", "/in/a.txt");
    Output s3 =
        Output.of(
            "/out/b",
            "https://bucket.s3.amazonaws.com/b?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=abc123&part=1");
    OutputFileLog log = OutputFileLog.of("https://acct.blob.core.windows.net/c/b?sv=2020&sig=s3cr3t", "/out/b", 3);

    assertThat(ftp.toString())
        .doesNotContain("hunter2")
        .contains("ftp://alice:****@ftp.example.org/data/a.txt");
    assertThat(s3.toString())
        .doesNotContain("AKIAEXAMPLE")
        .doesNotContain("abc123")
        .contains("X-Amz-Signature=****")
        .contains("part=1");
    assertThat(log.toString()).doesNotContain("s3cr3t").contains("sv=2020");
    assertThat(ftp.url()).contains("hunter2");
  }

  @Test
  void aPasswordHoldingAnAtSignIsMaskedWhole() {
    Input ftp = Input.ofUrl("ftp://alice:p@ss@host/x?y=a@b", "/in/x");

    assertThat(ftp.toString()).contains("ftp://alice:****@host/x?y=a@b").doesNotContain("ss@host");
  }

  @Test
  void inputContentIsShownByLengthOnly() {
    Input secretFile = Input.ofContent("-----BEGIN PRIVATE KEY-----", "/in/key.pem");

    assertThat(secretFile.toString()).doesNotContain("PRIVATE KEY").contains("(27 chars)");
  }

  @Test
  void taskToStringCarriesTheRedaction() {
    Task task =
        Task.builder()
            .addInput(Input.ofUrl("ftp://bob:pa55@host/x", "/in/x"))
            .addExecutor(Executor.builder().image("a").command(List.of("b")).env("TOKEN", "t0k3n").build())
            .build();

    assertThat(task.toString()).doesNotContain("pa55").doesNotContain("t0k3n");
  }
}
