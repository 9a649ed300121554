package io.tes4j.backend.pulsar.internal;

import java.util.Objects;

/**
 * Where one Pulsar job's directories are on the Pulsar host, as Pulsar's setup answered (absolute
 * paths, {@code /}-separated). tes4j places a task's files by a fixed rule under them:
 *
 * <ul>
 *   <li>an input at container path {@code P} is staged at {@code inputs + P} (uploaded with {@code
 *       type=input}, name {@code P} without its leading {@code /});
 *   <li>everything an executor may write (the directories of outputs, volumes) is at {@code
 *       outputs + P}, and an output is downloaded with {@code type=output}, name {@code P} without
 *       its leading {@code /};
 *   <li>executor {@code i}'s captured streams, exit code and times are {@code
 *       metadata/tes_exec_i.stdout}, {@code .stderr}, {@code .rc}, {@code .start}, {@code .end}
 *       (downloaded with {@code type=output_metadata}); executor {@code i}'s environment is {@code
 *       metadata/tes_env_i.list} ({@link JobScript#environmentFiles}), uploaded before the submit
 *       and removed by the job as soon as that executor ended.
 * </ul>
 *
 * @param jobId the job id Pulsar uses (setup may have replaced ours)
 * @param jobDirectory the job's directory
 * @param inputsDirectory its {@code inputs/}
 * @param outputsDirectory its {@code outputs/}
 * @param metadataDirectory its {@code metadata/}
 * @param workingDirectory its {@code working/}, where Pulsar runs the command line
 */
public record JobLayout(
    String jobId,
    String jobDirectory,
    String inputsDirectory,
    String outputsDirectory,
    String metadataDirectory,
    String workingDirectory) {

  /** Requires every field. */
  public JobLayout {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(jobDirectory, "jobDirectory");
    Objects.requireNonNull(inputsDirectory, "inputsDirectory");
    Objects.requireNonNull(outputsDirectory, "outputsDirectory");
    Objects.requireNonNull(metadataDirectory, "metadataDirectory");
    Objects.requireNonNull(workingDirectory, "workingDirectory");
  }

  /** The file name, in {@code metadata/}, of executor {@code index}'s {@code suffix} file ({@code stdout}, {@code rc}...). */
  public static String executorFile(int index, String suffix) {
    return "tes_exec_" + index + "." + suffix;
  }
}
