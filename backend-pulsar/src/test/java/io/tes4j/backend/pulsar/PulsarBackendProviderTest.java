package io.tes4j.backend.pulsar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.spi.Backend;
import io.tes4j.spi.BackendConfig;
import io.tes4j.spi.BackendProvider;
import io.tes4j.spi.UnknownParameterException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PulsarBackendProviderTest {
  @TempDir Path work;

  private Backend open(String uri) {
    return new PulsarBackendProvider().open(BackendConfig.of(BackendConfig.uri(uri), Map.of("workdir", work.toString())));
  }

  @Test
  void isFoundThroughServiceLoaderByItsFourSchemes() {
    BackendProvider found = ServiceLoader.load(BackendProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.schemes().contains("pulsar+http"))
        .findFirst()
        .orElseThrow();
    assertThat(found).isInstanceOf(PulsarBackendProvider.class);
    assertThat(found.schemes()).containsExactlyInAnyOrder("pulsar+http", "pulsar+https", "pulsar+amqp", "pulsar+amqps");
  }

  @Test
  void opensWithoutTouchingTheNetworkAndReportsWhatItEnforces() {
    // Port 9 on loopback: nothing listens there, and open must not care.
    try (Backend backend = open("pulsar+http://127.0.0.1:9/pulsar?private_token=s3cret&manager=big&runtime=docker")) {
      assertThat(backend.capabilities().resume()).isTrue();
      assertThat(backend.capabilities().cancelRunning()).isTrue();
      assertThat(backend.capabilities().enforcedResources()).containsExactlyInAnyOrder("cpu_cores", "ram_gb");
      assertThat(backend.toString()).doesNotContain("s3cret");
    }
  }

  @Test
  void refusesAnUnknownParameterNamingTheKnownOnes() {
    assertThatThrownBy(() -> open("pulsar+http://127.0.0.1:9/?privat_token=x"))
        .isInstanceOf(UnknownParameterException.class)
        .hasMessageContaining("privat_token")
        .hasMessageContaining("private_token")
        .hasMessageNotContaining("=x");
  }

  @Test
  void refusesBadValuesNamingTheParameterAndWhatIsAllowed() {
    assertThatThrownBy(() -> open("pulsar+http://127.0.0.1:9/?runtime=rkt"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("runtime=rkt")
        .hasMessageContaining("docker, singularity, apptainer, none");
    assertThatThrownBy(() -> open("pulsar+http://127.0.0.1:9/?pollInterval=fast"))
        .hasMessageContaining("pollInterval=fast")
        .hasMessageContaining("2s");
    assertThatThrownBy(() -> open("pulsar+http://127.0.0.1:9/?pollInterval=0s"))
        .hasMessageContaining("positive duration");
    assertThatThrownBy(() -> open("pulsar+http://127.0.0.1:9/?maxPollsPerSecond=-1"))
        .hasMessageContaining("maxPollsPerSecond=-1 must be a positive number");
    assertThatThrownBy(() -> open("pulsar+http://127.0.0.1:9/?workers=0"))
        .hasMessageContaining("workers=0 must be a whole number from 1 to 10000");
    assertThatThrownBy(() -> open("pulsar+http://127.0.0.1:9/?fileRoots=relative/dir"))
        .hasMessageContaining("relative/dir is not an absolute path");
  }

  @Test
  void refusesAUriWithoutAServerOrWithAPassword() {
    assertThatThrownBy(() -> new PulsarBackendProvider().open(BackendConfig.of(BackendConfig.uri("pulsar+http:"), Map.of())))
        .hasMessageContaining("names its server");
    assertThatThrownBy(() -> open("pulsar+https://user:hunter2@127.0.0.1:9/"))
        .hasMessageContaining("private_token parameter")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void runtimeNoneEnforcesNoResources() {
    try (Backend backend = open("pulsar+http://127.0.0.1:9/?runtime=none")) {
      assertThat(backend.capabilities().enforcedResources()).isEmpty();
      assertThat(backend.toString()).contains("runtime=none");
    }
  }

  @Test
  void moreServersAreNamedParametersAndMistakesInThemAreRefused() {
    try (Backend backend = open("pulsar+http://127.0.0.1:9/?server.hpc=https://hpc.example.org:8913/pulsar"
        + "&server.hpc.private_token=hpc-secret&server.hpc.manager=slurm&placement=least-busy")) {
      assertThat(backend.capabilities().backendParameters()).containsExactly("pulsar_server");
      assertThat(backend.toString()).contains("default=Pulsar http://127.0.0.1:9/")
          .contains("hpc=Pulsar https://hpc.example.org:8913/pulsar/ (manager slurm)")
          .contains("placement=least-busy")
          .doesNotContain("hpc-secret");
    }
    assertThatThrownBy(() -> open("pulsar+http://127.0.0.1:9/?server.hpc.private_token=x"))
        .hasMessageContaining("not server.hpc, the server's URL");
    assertThatThrownBy(() -> open("pulsar+http://127.0.0.1:9/?server.default=http://other/"))
        .hasMessageContaining("is the name of the URI's own server");
    assertThatThrownBy(() -> open("pulsar+http://127.0.0.1:9/?server.hpc=ftp://hpc/"))
        .hasMessageContaining("server.hpc must be http://HOST:PORT/[PATH]");
    assertThatThrownBy(() -> open("pulsar+http://127.0.0.1:9/?server.hpc=http://hpc/&server.hpc.token=x"))
        .isInstanceOf(UnknownParameterException.class)
        .hasMessageContaining("server.hpc.token");
    assertThatThrownBy(() -> open("pulsar+http://127.0.0.1:9/?placement=random"))
        .hasMessageContaining("round-robin, least-busy or tag:KEY");
  }

  @Test
  void anAmqpUriNamesTheBrokerAndTheWebAppOfTheFilesAndNeverShowsThePassword() {
    // Nothing listens on port 9: opening touches no network, neither the broker nor the web app.
    try (Backend backend = open("pulsar+amqp://tes4j:br%40ker-pw@127.0.0.1:9/galaxy?files=http://127.0.0.1:9/pulsar"
        + "&private_token=tok3n&manager=big&amqp_key_prefix=eu_&statusRequestAfter=30s&staging=pulsar")) {
      assertThat(backend.toString())
          .contains("default=Pulsar queue amqp://127.0.0.1:9/galaxy (manager big) + files at Pulsar http://127.0.0.1:9/pulsar/ (manager big)")
          .doesNotContain("br@ker-pw").doesNotContain("br%40ker-pw").doesNotContain("tok3n").doesNotContain("tes4j:");
    }
    try (Backend backend = open("pulsar+amqps://u:p@127.0.0.1/?files=https://127.0.0.1:9/")) {
      assertThat(backend.toString()).contains("Pulsar queue amqps://127.0.0.1:5671/ + files at Pulsar https://127.0.0.1:9/");
    }
  }

  @Test
  void anAmqpUriWithoutItsFilesUrlOrWithRestOnlyMistakesIsRefused() {
    assertThatThrownBy(() -> open("pulsar+amqp://u:secret-pw@127.0.0.1:9/"))
        .hasMessageContaining("needs the files parameter")
        .hasMessageContaining("files=http://PULSARHOST:PORT/")
        .hasMessageNotContaining("secret-pw");
    assertThatThrownBy(() -> open("pulsar+amqp://u:secret-pw@127.0.0.1:9/?files=ftp://127.0.0.1/"))
        .hasMessageContaining("files must be http://HOST:PORT/[PATH]")
        .hasMessageNotContaining("secret-pw");
    assertThatThrownBy(() -> open("pulsar+amqp://u:secret-pw@127.0.0.1:9/?files=http://u:p@127.0.0.1/"))
        .hasMessageContaining("files must be http://HOST:PORT/[PATH]");
    // The queue's own parameters mean nothing over REST.
    assertThatThrownBy(() -> open("pulsar+http://127.0.0.1:9/?files=http://127.0.0.1:9/"))
        .isInstanceOf(UnknownParameterException.class)
        .hasMessageContaining("files");
    assertThatThrownBy(() -> open("pulsar+http://127.0.0.1:9/?statusRequestAfter=1m"))
        .isInstanceOf(UnknownParameterException.class);
    assertThatThrownBy(() -> open("pulsar+http://127.0.0.1:9/?staging=broker"))
        .hasMessageContaining("staging=broker is not a staging mode; use engine")
        .hasMessageContaining("or pulsar");
  }

  @Test
  void moreServersMayBeQueuesWithTheirOwnFilesUrl() {
    try (Backend backend = open("pulsar+http://127.0.0.1:9/?server.eu=amqp://u:eu-secret@127.0.0.1:9/eu"
        + "&server.eu.files=http://127.0.0.1:9/&server.eu.manager=gpu")) {
      assertThat(backend.toString())
          .contains("default=Pulsar http://127.0.0.1:9/")
          .contains("eu=Pulsar queue amqp://127.0.0.1:9/eu (manager gpu) + files at Pulsar http://127.0.0.1:9/ (manager gpu)")
          .doesNotContain("eu-secret");
    }
    assertThatThrownBy(() -> open("pulsar+http://127.0.0.1:9/?server.eu=amqp://u:eu-secret@127.0.0.1:9/eu"))
        .hasMessageContaining("server.eu is a message queue; it needs server.eu.files")
        .hasMessageNotContaining("eu-secret");
    assertThatThrownBy(() -> open("pulsar+http://127.0.0.1:9/?server.eu=http://127.0.0.1:9/&server.eu.files=http://127.0.0.1:9/"))
        .hasMessageContaining("server.eu.files is set, but server.eu is not a message queue");
  }

  @Test
  void aPlacementRuleOfOnesOwnIsFoundOnTheClassPathAndABrokenOneFailsItsTasksSayingWhy() throws Exception {
    try (Backend backend = open("pulsar+http://127.0.0.1:9/?server.hpc=http://127.0.0.1:9/&placement=by-cores")) {
      assertThat(backend.toString()).contains("placement=by-cores");
    }
    try (io.tes4j.engine.TesEngine engine = io.tes4j.engine.TesEngine.builder()
        .backend(open("pulsar+http://127.0.0.1:9/?server.hpc=http://127.0.0.1:9/&placement=nowhere"))
        .build()) {
      String id = engine.createTask(io.tes4j.model.Task.builder()
          .addExecutor(io.tes4j.model.Executor.of("alpine", "true")).build());
      io.tes4j.model.Task task = engine.await(id, java.time.Duration.ofSeconds(30));
      assertThat(task.state()).isEqualTo(io.tes4j.model.State.SYSTEM_ERROR);
      io.tes4j.model.Task full = engine.getTask(id, io.tes4j.model.View.FULL);
      assertThat(full.logs().get(0).systemLogs()).anySatisfy(line -> assertThat(line)
          .contains("the placement rule 'nowhere' chose 'mars'").contains("it has default, hpc"));
    }
  }

  @Test
  void readsDurationsInEveryDocumentedForm() {
    BackendConfig config = BackendConfig.of(URI.create("pulsar+http://h/?a=500ms&b=2s&c=10m&d=1h&e=PT3S&f=1h30m"), Map.of());
    assertThat(PulsarBackendProvider.duration(config, "a", null)).hasMillis(500);
    assertThat(PulsarBackendProvider.duration(config, "b", null)).hasSeconds(2);
    assertThat(PulsarBackendProvider.duration(config, "c", null)).hasMinutes(10);
    assertThat(PulsarBackendProvider.duration(config, "d", null)).hasHours(1);
    assertThat(PulsarBackendProvider.duration(config, "e", null)).hasSeconds(3);
    assertThat(PulsarBackendProvider.duration(config, "f", null)).hasMinutes(90);
  }
}
