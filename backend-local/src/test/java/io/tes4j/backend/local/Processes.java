package io.tes4j.backend.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The processes of this machine, as tests need to see them. */
final class Processes {
  private Processes() {}

  /** The processes whose command line is exactly {@code argv}. */
  static List<ProcessHandle> withArguments(String command, String... arguments) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().command().map(c -> c.endsWith("/" + command) || c.equals(command)).orElse(false))
        .filter(p -> p.info().arguments().map(a -> List.of(a).equals(List.of(arguments))).orElse(false))
        .toList();
  }

  /**
   * Whether {@code process} still runs: alive and not a zombie (a killed process whose parent has
   * not yet collected it is dead, though {@link ProcessHandle#isAlive()} says otherwise).
   */
  static boolean running(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return !state.equals("Z") && !state.equals("X");
    } catch (IOException | RuntimeException e) {
      return false; // gone
    }
  }
}
