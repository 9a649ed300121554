package io.tes4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class HelpAndVersionTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "validate", "service-info", "submit", "get", "list", "cancel", "wait", "run", "serve", "cp", "filer",
        "filer stage-in", "filer stage-out"
      })
  void everyCommandHasHelp(String command) {
    String[] words = (command + " --help").split(" ");
    CliResult r = CliResult.run(Map.of(), words);

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).startsWith("Usage: tes4j " + command).contains("Exit codes:");
  }

  @Test
  void topLevelHelpListsEveryCommandAndTheExitCodes() {
    CliResult r = CliResult.run(Map.of(), "--help");

    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("validate", "service-info", "submit", "get", "list", "cancel", "wait", "run", "serve", "cp", "filer")
        .contains("TES_SERVER", "4   task not found");
  }

  @Test
  void helpCommandShowsACommandsHelp() {
    CliResult r = CliResult.run(Map.of(), "help", "wait");

    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("Usage: tes4j wait").contains("Default: 24h");
  }

  @Test
  void remoteOptionsAreDocumented() {
    CliResult r = CliResult.run(Map.of(), "list", "--help");

    assertThat(r.out())
        .contains("--server=URL", "--user=USER", "--password=PASSWORD", "--token=TOKEN")
        .contains("--header=NAME=VALUE", "--retries=N", "--request-timeout=DURATION")
        .contains("--tag=KEY[=VALUE]", "--all", "--page-token=TOKEN");
  }

  @Test
  void aCommandAfterTheTopOptionsIsFound() {
    CliResult r = CliResult.run(Map.of(), "--debug", "cp", "--help");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).startsWith("Usage: tes4j cp");
  }

  @Test
  void anUnknownCommandIsAUsageErrorThatPointsToTheHelp() {
    CliResult r = CliResult.run(Map.of(), "copy", "a", "b");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("'copy'").contains("Try 'tes4j --help'");
  }

  @Test
  void versionIsTheProjectVersion() {
    CliResult r = CliResult.run(Map.of(), "--version");

    assertThat(r.code()).isZero();
    assertThat(r.out().strip()).matches("tes4j \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
  }
}
