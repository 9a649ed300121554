package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.engine.internal.EngineSettings;
import io.tes4j.engine.internal.TagLimit;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How the engine's parameters are told from the backend's and read. */
class EngineSettingsTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "mock:?store=jdbc:sqlite:/tmp/t.db&delay=0 | mock:?delay=0",
        "mock:?store=jdbc:sqlite:/tmp/t.db         | mock:?",
        "mock:?delay=0&maxRunning=2&record=false   | mock:?delay=0&record=false",
        "mock:?delay=0                             | mock:?delay=0",
        "local:?                                   | local:?",
        "mock:?tagLimit.lts=write:2&store.user=u&store.password=p | mock:?",
        "mock:?store%2Epassword=p&a=%26            | mock:?a=%26",
        "k8s://ns/path?a=1&store=memory#frag       | k8s://ns/path?a=1#frag",
        "k8s://ns/path#frag?store=memory           | k8s://ns/path#frag?store=memory",
      })
  void theUriLosesTheEngineParametersAndKeepsTheRestAsWritten(String uri, String forTheBackend) {
    assertThat(EngineSettings.withoutEngineParameters(URI.create(uri))).hasToString(forTheBackend);
  }

  @Test
  void engineParametersAreTheFiveNamesAndTheTagLimits() {
    Map<String, String> all = new java.util.LinkedHashMap<>();
    for (String name : new String[] {"store", "store.user", "store.password", "maxRunning", "tagLimit.k", "delay",
        "Store", "maxrunning", "tagLimit"}) {
      all.put(name, "x");
    }

    assertThat(EngineSettings.engineParameters(all))
        .containsOnlyKeys("store", "store.user", "store.password", "maxRunning", "tagLimit.k");
    assertThat(EngineSettings.backendParameters(all)).containsOnlyKeys("delay", "Store", "maxrunning", "tagLimit");
  }

  @Test
  void aTagLimitValueHoldingEqualsIsRefusedWithTheFix() {
    assertThatThrownBy(() -> EngineSettings.tagLimits("tagLimit.flow", "archive:2,flow=retrieve:1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tagLimit.flow has the tag value 'flow=retrieve'")
        .hasMessageContaining("write the key once: tagLimit.flow=archive:2,retrieve:1");
    assertThatThrownBy(() -> EngineSettings.tagLimits("tagLimit.flow", "archive:2,lts=write:1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("add a parameter tagLimit.lts=write:1");
  }

  @Test
  void tagLimitsAreValueColonMaxSeparatedByCommas() {
    assertThat(EngineSettings.tagLimits("tagLimit.lts", "write:2,read:8"))
        .containsExactly(new TagLimit("lts", "write", 2), new TagLimit("lts", "read", 8));
    assertThat(EngineSettings.tagLimits("tagLimit.site", "eu:west:3, :1"))
        .as("the last colon separates the value, which may hold colons or be empty")
        .containsExactly(new TagLimit("site", "eu:west", 3), new TagLimit("site", "", 1));
    assertThat(EngineSettings.tagLimits("tagLimit.a.b", "c:1")).containsExactly(new TagLimit("a.b", "c", 1));

    for (String wrong : new String[] {"write", "write:0", "write:-1", "write:x", "write:2,", "write:99999999999"}) {
      assertThatThrownBy(() -> EngineSettings.tagLimits("tagLimit.lts", wrong))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("tagLimit.lts must be VALUE:MAX, or several separated by commas, with MAX a whole number of"
              + " at least 1 (e.g. tagLimit.lts=write:2,read:8), was '" + wrong + "'");
    }
    assertThatThrownBy(() -> EngineSettings.tagLimits("tagLimit.lts", "write:1,write:2"))
        .hasMessage("tagLimit.lts limits the value 'write' twice, in 'write:1,write:2'");
    assertThatThrownBy(() -> EngineSettings.tagLimits("tagLimit.", "write:1"))
        .hasMessage("the parameter tagLimit. names no tag key: write tagLimit.KEY=VALUE:MAX, e.g. tagLimit.lts=write:2");
  }

  @Test
  void maxRunningIsAWholeNumberOfAtLeastOne() {
    assertThat(EngineSettings.maxRunning("8")).isEqualTo(8);
    assertThat(EngineSettings.maxRunning(" 2147483647 ")).isEqualTo(Integer.MAX_VALUE);
    for (String wrong : new String[] {"0", "-1", "eight", "2147483648", "1.5", ""}) {
      assertThatThrownBy(() -> EngineSettings.maxRunning(wrong))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxRunning must be a whole number of tasks from 1 to 2147483647 (e.g. maxRunning=8), was '"
              + wrong + "'");
    }
  }

  @Test
  void theStoreIsMemoryOrASqliteOrPostgresUrlAndItsStringHidesThePassword() {
    assertThat(EngineSettings.store(Map.of())).isNull();
    assertThat(EngineSettings.store(Map.of("store", "MEMORY")).memory()).isTrue();
    EngineSettings.StoreSpec pg = EngineSettings.store(
        Map.of("store", "jdbc:postgresql://db:5432/tes?password=inUrl", "store.user", "tes", "store.password", "s3cret"));
    assertThat(pg.memory()).isFalse();
    assertThat(pg.toString())
        .isEqualTo("jdbc:postgresql://db:5432/tes?password=**** (user tes) (password ****)")
        .doesNotContain("s3cret", "inUrl");

    assertThatThrownBy(() -> EngineSettings.store(Map.of("store", "postgres://u:s3cret@db/tes")))
        .hasMessage("store must be memory (the default), jdbc:sqlite:PATH or jdbc:postgresql://HOST:PORT/DB,"
            + " was 'postgres://u:****@db/tes'");
    assertThatThrownBy(() -> EngineSettings.store(Map.of("store", "jdbc:mysql://db/tes")))
        .hasMessageStartingWith("store must be memory (the default), jdbc:sqlite:PATH or");
    assertThatThrownBy(() -> EngineSettings.store(Map.of("store.password", "s3cret")))
        .hasMessage("store.password is set without store: set store to the JDBC URL of the database"
            + " (jdbc:postgresql://HOST:PORT/DB or jdbc:sqlite:PATH)");
    assertThatThrownBy(() -> EngineSettings.store(Map.of("store", "memory", "store.user", "tes")))
        .hasMessage("store.user is set, but store is memory: the user and password are those of a JDBC store"
            + " (memory (the default), jdbc:sqlite:PATH or jdbc:postgresql://HOST:PORT/DB)");
  }

  @Test
  void aMemoryStoreKeepsEveryTaskOrAsManyEndedOnesAsItsKeepEndedSays() {
    EngineSettings.StoreSpec all = EngineSettings.store(Map.of("store", "memory"));
    assertThat(all.keepEnded()).isEqualTo(Long.MAX_VALUE);
    assertThat(all).hasToString("memory");
    EngineSettings.StoreSpec bounded = EngineSettings.store(Map.of("store", "Memory:?keepEnded=500"));
    assertThat(bounded.memory()).isTrue();
    assertThat(bounded.keepEnded()).isEqualTo(500);
    assertThat(bounded).hasToString("memory (at most 500 ended tasks kept)");
    assertThat(bounded.open()).hasToString("MemoryTaskStore[0 tasks, keeping 500 ended, 0 dropped]");
    assertThat(EngineSettings.store(Map.of("store", "jdbc:sqlite:/tmp/t.db")).keepEnded()).isEqualTo(Long.MAX_VALUE);

    assertThatThrownBy(() -> EngineSettings.store(Map.of("store", "memory:?keepEnded=0")))
        .hasMessage("store memory:?keepEnded=0: keepEnded must be a whole number of at least 1, was '0'");
    assertThatThrownBy(() -> EngineSettings.store(Map.of("store", "memory:?keepEnded=lots")))
        .hasMessage("store memory:?keepEnded=lots: keepEnded must be a whole number of at least 1, was 'lots'");
    assertThatThrownBy(() -> EngineSettings.store(Map.of("store", "memory:?keep=5")))
        .hasMessage("store memory:?keep=5: a memory store takes one parameter, keepEnded=N (the most ended tasks"
            + " kept, a whole number of at least 1), not 'keep=5'");
    assertThatThrownBy(() -> EngineSettings.store(Map.of("store", "memories")))
        .hasMessage("store must be memory (the default), jdbc:sqlite:PATH or jdbc:postgresql://HOST:PORT/DB,"
            + " was 'memories'");
  }

  @Test
  void theHintListsTheEngineParametersAndGuessesAMisspeltName() {
    assertThat(EngineSettings.unknownParameterHint(Set.of("maxRuning"), Set.of("delay")))
        .isEqualTo("; the engine takes maxQueued, maxRunning, store, store.password, store.user, tagLimit.KEY;"
            + " maxRuning: did you mean maxRunning?");
    assertThat(EngineSettings.unknownParameterHint(Set.of("dealy"), Set.of("delay")))
        .endsWith("; dealy: did you mean delay?");
    assertThat(EngineSettings.unknownParameterHint(Set.of("tagLimits.lts"), Set.of("delay")))
        .endsWith("; tagLimits.lts: did you mean tagLimit.KEY?");
    assertThat(EngineSettings.unknownParameterHint(Set.of("workers"), Set.of("delay")))
        .isEqualTo("; the engine takes maxQueued, maxRunning, store, store.password, store.user, tagLimit.KEY");
  }
}
