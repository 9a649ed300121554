package io.tes4j.backend.local.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContainerPathsTest {
  @Test
  void normalisesAndSplitsContainerPaths() {
    assertThat(ContainerPaths.normalize("/a//b/./c/")).isEqualTo("/a/b/c");
    assertThat(ContainerPaths.normalize("/")).isEqualTo("/");
    assertThat(ContainerPaths.parent("/a/b")).isEqualTo("/a");
    assertThat(ContainerPaths.parent("/a")).isEqualTo("/");
    assertThat(ContainerPaths.staticParent("/out/*/x.txt")).isEqualTo("/out");
    assertThat(ContainerPaths.staticParent("/*.txt")).isEqualTo("/");
    assertThat(ContainerPaths.isAtOrBelow("/a/b", "/a")).isTrue();
    assertThat(ContainerPaths.isAtOrBelow("/a", "/a")).isTrue();
    assertThat(ContainerPaths.isAtOrBelow("/ab", "/a")).isFalse();
  }

  @Test
  void numbersAreWrittenPlainly() {
    assertThat(Numbers.plain(2.0)).isEqualTo("2");
    assertThat(Numbers.plain(0.5)).isEqualTo("0.5");
    assertThat(Numbers.plain(1e-7)).isEqualTo("0.0000001");
    assertThat(Numbers.bytes(1.5)).isEqualTo(1610612736L);
  }
}
