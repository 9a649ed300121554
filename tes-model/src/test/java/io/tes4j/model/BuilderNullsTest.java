package io.tes4j.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Builders refuse {@code null} elements, naming them: reading JSON drops a {@code null} element
 * leniently, but in code a dropped element would silently change what the caller built.
 */
class BuilderNullsTest {

  @Test
  void aNullCommandArgumentIsRefusedNotDropped() {
    assertThatThrownBy(() -> Executor.of("alpine", "sh", "-c", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("command[2] is null");
  }

  @Test
  void aNullEnvValueIsRefused() {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", null);
    assertThatThrownBy(() -> Executor.builder().env(env))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("env[\"HOME\"] is null");
  }

  @Test
  void nullElementsInTaskListsAreRefused() {
    List<Input> inputs = Arrays.asList(Input.ofContent("x", "/in/x"), null);
    assertThatThrownBy(() -> Task.builder().inputs(inputs)).hasMessage("inputs[1] is null");
    assertThatThrownBy(() -> Task.builder().volumes("/a", null)).hasMessage("volumes[1] is null");
    assertThatThrownBy(() -> Resources.builder().zones("z", null)).hasMessage("zones[1] is null");
    assertThatThrownBy(() -> TaskLog.builder().addSystemLog(null)).hasMessage("line");
  }
}
