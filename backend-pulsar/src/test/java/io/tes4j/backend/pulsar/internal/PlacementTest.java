package io.tes4j.backend.pulsar.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.model.Executor;
import io.tes4j.model.Resources;
import io.tes4j.model.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTest {
  private static final List<String> SERVERS = List.of("default", "hpc", "cloud");

  private static Task task(Map<String, String> tags, Map<String, String> backendParameters) {
    Task.Builder builder = Task.builder().id("T1").addExecutor(Executor.of("alpine", "true")).tags(tags);
    if (backendParameters != null) {
      builder.resources(Resources.builder().backendParameters(backendParameters).build());
    }
    return builder.build();
  }

  @Test
  void roundRobinTakesEachServerInTurn() {
    Placement placement = Placement.parse(null, SERVERS);
    List<String> chosen = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      chosen.add(placement.choose(task(Map.of(), null), server -> 0));
    }
    assertThat(chosen).containsExactly("default", "hpc", "cloud", "default", "hpc", "cloud");
  }

  @Test
  void leastBusyTakesTheServerWithFewestUnfinishedTasksTheFirstOnATie() {
    Placement placement = Placement.parse("least-busy", SERVERS);
    Map<String, Integer> busy = Map.of("default", 3, "hpc", 1, "cloud", 1);
    assertThat(placement.choose(task(Map.of(), null), busy::get)).isEqualTo("hpc");
  }

  @Test
  void aTagOrABackendParameterNamesTheServerTheParameterWinning() {
    Placement placement = Placement.parse("tag:site", SERVERS);
    assertThat(placement.choose(task(Map.of("site", "cloud"), null), s -> 0)).isEqualTo("cloud");
    assertThat(placement.choose(task(Map.of("site", "cloud"), Map.of("PULSAR_SERVER", "hpc")), s -> 0)).isEqualTo("hpc");
    assertThat(placement.choose(task(Map.of(), null), s -> 0)).as("no tag: round robin").isEqualTo("default");
  }

  @Test
  void aServerThatIsNoneOfOursIsAViolationNamingTheField() {
    Placement placement = Placement.parse("tag:site", SERVERS);
    assertThat(placement.check(task(Map.of("site", "mars"), Map.of("pulsar_server", "venus"))))
        .extracting(v -> v.path() + ": " + v.message())
        .containsExactly(
            "resources.backend_parameters.pulsar_server: names no Pulsar server of this backend; use one of default, hpc, cloud",
            "tags.site: names no Pulsar server of this backend (placement=tag:site); use one of default, hpc, cloud");
    assertThatThrownBy(() -> placement.choose(task(Map.of(), Map.of("pulsar_server", "venus")), s -> 0))
        .hasMessageContaining("venus").hasMessageContaining("default, hpc, cloud");
  }

  @Test
  void anUnknownRuleIsRefusedNamingTheRulesThoseOnTheClassPathToo() {
    assertThatThrownBy(() -> Placement.parse("random", SERVERS))
        .hasMessageContaining("placement=random")
        .hasMessageContaining("round-robin, least-busy or tag:KEY")
        .hasMessageContaining("or one of the rules found on the class path: by-cores, nowhere");
  }

  @Test
  void aRuleOfOnesOwnIsFoundByItsNameAndAskedOnlyForTasksThatNameNoServer() {
    Placement placement = Placement.parse("by-cores", SERVERS);
    Map<String, Integer> busy = Map.of("default", 5, "hpc", 0, "cloud", 2);
    Task big = task(Map.of(), null).toBuilder().resources(Resources.builder().cpuCores(32.0).build()).build();
    assertThat(placement.choose(big, busy::get)).isEqualTo("hpc");
    assertThat(placement.choose(task(Map.of(), null), busy::get)).isEqualTo("cloud");
    assertThat(placement.choose(task(Map.of(), Map.of("pulsar_server", "default")), busy::get)).isEqualTo("default");
    assertThat(placement).hasToString("by-cores");
  }

  @Test
  void aRuleThatChoosesNoServerOfOursFailsNamingTheRule() {
    Placement placement = Placement.parse("nowhere", SERVERS);
    assertThatThrownBy(() -> placement.choose(task(Map.of(), null), s -> 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the placement rule 'nowhere' chose 'mars' for task T1, which is no server of this backend")
        .hasMessageContaining("default, hpc, cloud");
  }
}
