package io.tes4j.backend.local.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TailBufferTest {
  private static void write(TailBuffer buffer, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    buffer.write(bytes, 0, bytes.length);
  }

  @Test
  void keepsEverythingUpToItsCapacity() {
    TailBuffer buffer = new TailBuffer(8);
    write(buffer, "abc");
    write(buffer, "defgh");
    assertThat(buffer.text()).isEqualTo("abcdefgh");
    assertThat(buffer.written()).isEqualTo(8);
  }

  @Test
  void keepsTheLastBytesAcrossSmallAndLargeWrites() {
    TailBuffer buffer = new TailBuffer(5);
    write(buffer, "abc");
    write(buffer, "defg");
    assertThat(buffer.text()).isEqualTo("cdefg");
    write(buffer, "0123456789");
    assertThat(buffer.text()).isEqualTo("56789");
    write(buffer, "x");
    assertThat(buffer.text()).isEqualTo("6789x");
    assertThat(buffer.written()).isEqualTo(18);
  }

  @Test
  void aCharacterCutAtTheStartIsDropped() {
    TailBuffer buffer = new TailBuffer(4);
    write(buffer, "xé€"); // x, é (2 bytes), € (3 bytes): the tail starts inside é
    assertThat(buffer.text()).isEqualTo("€");
  }

  @Test
  void isEmptyBeforeAnyWrite() {
    assertThat(new TailBuffer(3).text()).isEmpty();
  }
}
