package io.tes4j.transfer;

import io.tes4j.model.OutputFileLog;
import io.tes4j.model.Task;
import java.nio.file.Path;
import java.util.List;

/**
 * Stages a TES task's files: before the executors run, every input into the task's work
 * directory; after, every output out of it. Container paths map under the work directory
 * ({@code /in/x.txt} is {@code ROOT/in/x.txt}) and can never leave it, by {@code ..} or by a link.
 *
 * <pre>{@code
 * Stager stager = new Stager(transfers);
 * stager.stageInputs(task, workDir);
 * // ... run the executors with workDir's directories mounted at their container paths ...
 * List<OutputFileLog> uploaded = stager.stageOutputs(task, workDir);
 * }</pre>
 */
public final class Stager {
  /** A stager moving files with {@code transfers}. */
  public Stager(Transfers transfers) {
    throw new UnsupportedOperationException("being written");
  }

  /** A stager reporting progress to {@code listener}. */
  public Stager(Transfers transfers, TransferListener listener) {
    throw new UnsupportedOperationException("being written");
  }

  /**
   * Writes content inputs and downloads URL inputs (FILE, or DIRECTORY recursively) to their
   * container paths under {@code root}.
   */
  public void stageInputs(Task task, Path root) {
    throw new UnsupportedOperationException("being written");
  }

  /**
   * Uploads every output (FILE, DIRECTORY recursively, or wildcard paths with {@code path_prefix})
   * and returns one log per uploaded file, as TES reports them.
   *
   * @throws TransferException naming the output when a declared output is missing
   */
  public List<OutputFileLog> stageOutputs(Task task, Path root) {
    throw new UnsupportedOperationException("being written");
  }

  /**
   * Where the container path {@code containerPath} lives under {@code root}.
   *
   * @throws TransferException with {@link TransferException.Reason#NOT_ALLOWED} when the path is not
   *     absolute, or would leave {@code root}
   */
  public static Path hostPath(Path root, String containerPath) {
    throw new UnsupportedOperationException("being written");
  }
}
