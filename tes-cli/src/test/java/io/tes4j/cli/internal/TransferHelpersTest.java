package io.tes4j.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.transfer.S3Settings;
import io.tes4j.transfer.StorageUrl;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The small parts of {@code cp}: sizes, joined URLs, the progress line. */
class TransferHelpersTest {

  @Test
  void sizesAreReadInPowersOf1024() {
    assertThat(ByteSize.parse("8MiB")).isEqualTo(8L << 20);
    assertThat(ByteSize.parse("8M")).isEqualTo(8L << 20);
    assertThat(ByteSize.parse("8mb")).isEqualTo(8L << 20);
    assertThat(ByteSize.parse("1GiB")).isEqualTo(1L << 30);
    assertThat(ByteSize.parse("16384")).isEqualTo(16384);
    assertThat(ByteSize.parse(" 5 k ".strip())).isEqualTo(5 * 1024);
    assertThatThrownBy(() -> ByteSize.parse("5 apples")).isInstanceOf(CommandLine.TypeConversionException.class);
    assertThatThrownBy(() -> ByteSize.parse("-5M")).isInstanceOf(CommandLine.TypeConversionException.class);
    assertThatThrownBy(() -> ByteSize.parse("99999999999T")).hasMessageContaining("too large");
  }

  @Test
  void sizesAreWrittenForPeople() {
    assertThat(ByteSize.format(0)).isEqualTo("0 B");
    assertThat(ByteSize.format(1023)).isEqualTo("1023 B");
    assertThat(ByteSize.format(1536)).isEqualTo("1.5 KiB");
    assertThat(ByteSize.format(5L << 20)).isEqualTo("5.0 MiB");
    assertThat(ByteSize.format(3L << 40)).isEqualTo("3.0 TiB");
  }

  @Test
  void aChildUrlKeepsUserInfoHostAndQueryAndReadsBackTheNameExactly() {
    String child = CpCommand.child("ftp://u:p%40ss@host:2121/dir", "100% done.txt");
    StorageUrl url = StorageUrl.parse(child);
    assertThat(url.path()).isEqualTo("/dir/100% done.txt");
    assertThat(url.user()).isEqualTo("u");
    assertThat(url.password()).isEqualTo("p@ss");
    assertThat(url.port()).isEqualTo(2121);

    assertThat(StorageUrl.parse(CpCommand.child("s3://bucket", "a+b.txt")).path()).isEqualTo("/a+b.txt");
    assertThat(StorageUrl.parse(CpCommand.child("s3://bucket/my%20dir/", "x")).path()).isEqualTo("/my dir/x");
    assertThat(CpCommand.child("https://h/d/?sig=abc", "f")).isEqualTo("https://h/d/f?sig=abc");
  }

  @Test
  void theProgressLineShowsBytesTotalPercentAndRate() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Context ctx = context(err, Map.of());
    AtomicLong clock = new AtomicLong(0);
    ProgressBar bar = new ProgressBar(ctx, false, clock::get);
    StorageUrl source = StorageUrl.parse("s3://b/k");

    clock.set(5_000_000_000L); // start-up: the rate counts from the first bytes, not from here
    bar.progress(source, 0, 1L << 30);
    bar.progress(source, 512L << 20, 1L << 30); // not drawn: too early to tell a rate
    clock.set(7_000_000_000L);
    bar.progress(source, 768L << 20, 1L << 30); // drawn
    bar.progress(source, 700L << 20, 1L << 30); // not drawn; a retry does not move the bar back
    assertThat(bar.line(clock.get())).isEqualTo("768.0 MiB / 1.0 GiB   75%  384.0 MiB/s");
    bar.completed(source, StorageUrl.parse("/tmp/k"), 1L << 30);
    bar.finish();

    String text = err.toString(StandardCharsets.UTF_8);
    // One draw while running, then the final one over it, padded to clear the longer line.
    assertThat(text)
        .isEqualTo(
            "\r768.0 MiB / 1.0 GiB   75%  384.0 MiB/s"
                + "\r1.0 GiB / 1.0 GiB  100%  512.0 MiB/s  "
                + System.lineSeparator());
  }

  @Test
  void theProgressLineIsRedacted() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Context ctx = context(err, Map.of("TES_PASSWORD", "1.0 GiB"));
    ctx.progress("1.0 GiB of it");
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("\r*** of it");
  }

  @Test
  void s3PayloadSigningComesFromTheEnvironmentAlsoWithTheS3Options() {
    TransferOptions options = new TransferOptions();
    new CommandLine(options).parseArgs("--s3-endpoint", "http://127.0.0.1:9000", "--s3-region", "eu-west-1");
    Map<String, String> env =
        Map.of(
            "TES4J_S3_PAYLOAD_SIGNING", "never",
            "AWS_ACCESS_KEY_ID", "key",
            "AWS_SECRET_ACCESS_KEY", "secret-Hq71");
    S3Settings s3 = options.settings(context(new ByteArrayOutputStream(), env)).build().s3();
    assertThat(s3.payloadSigning()).isEqualTo(S3Settings.PayloadSigning.NEVER);
    assertThat(s3.endpoint()).hasToString("http://127.0.0.1:9000");
    assertThat(s3.region()).isEqualTo("eu-west-1");
    assertThat(s3.accessKey()).isEqualTo("key");
    assertThat(s3.pathStyle()).isTrue();

    Map<String, String> wrong = Map.of("TES4J_S3_PAYLOAD_SIGNING", "maybe");
    assertThatThrownBy(() -> new TransferOptions().settings(context(new ByteArrayOutputStream(), wrong)))
        .isInstanceOf(UsageError.class)
        .hasMessageContaining("TES4J_S3_PAYLOAD_SIGNING")
        .hasMessageContaining("auto, always or never");
  }

  private static Context context(ByteArrayOutputStream err, Map<String, String> env) {
    return new Context(
        InputStream.nullInputStream(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        env,
        true);
  }
}
