package io.tes4j.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.model.Input;
import io.tes4j.model.State;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link HostRuntimeTest} with the util-linux sandbox ({@code sandbox=unshare}). */
class HostRuntimeUnshareTest extends HostRuntimeTest {
  @Override
  HostSandbox sandbox() {
    return HostSandbox.UNSHARE;
  }

  // staging comes before any sandbox: once is enough
  @Test
  void cancelDuringStagingStopsTheDownload() throws IOException {
    // A server that accepts the connection and never answers: the download waits until cancelled.
    // The read timeout (ten minutes) is far beyond the wait for the end (two): only the cancel ends it.
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        LocalBackend patient = LocalBackend.builder()
            .runtime(LocalRuntime.HOST)
            .hostSandbox(sandbox())
            .workRoot(work)
            .transferSettings(quickTransfers().toBuilder().readTimeout(Duration.ofMinutes(10)).build())
            .build()) {
      server.setSoTimeout(120_000);
      RecordingEvents events = new RecordingEvents();
      String handle = patient.start(task()
          .addInput(Input.ofUrl("http://127.0.0.1:" + server.getLocalPort() + "/big.bin", "/in/big.bin"))
          .addExecutor(sh("echo never"))
          .build(), events);
      try (Socket accepted = server.accept()) {
        assertThat(accepted.isConnected()).isTrue();
        patient.cancel(handle);

        assertThat(events.awaitFinished()).isEqualTo(State.CANCELED);
        assertThat(events.calls()).containsExactly("initializing", "finished CANCELED");
        assertThat(Path.of(events.metadata().get("local.workdir"))).doesNotExist();
      }
    }
  }
}
