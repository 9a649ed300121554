package io.tes4j.backend.pulsar.internal;

import io.tes4j.api.BackendException;
import io.tes4j.api.internal.Durations;
import io.tes4j.backend.pulsar.PulsarRuntime;
import io.tes4j.model.Executor;
import io.tes4j.model.FileType;
import io.tes4j.model.Output;
import io.tes4j.model.OutputFileLog;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import io.tes4j.spi.TaskEvents;
import io.tes4j.transfer.Stager;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.internal.LocalPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task's Pulsar job, from staging to cleaning. Its steps run on the backend's workers; the
 * poller hands it each status ({@link #observed}). Guarded by its own lock.
 */
final class PulsarJob {
  private static final Logger LOG = LoggerFactory.getLogger(PulsarJob.class);

  private final String server;
  private final String jobId;
  private final Task task;
  private final TaskEvents events;
  private final PulsarBackend backend;
  private final PulsarClient client;
  /** The server's message queue in AMQP mode, else null (everything over {@link #client}). */
  private final PulsarQueue queue;
  private final Path local;

  private boolean submitted;
  /** AMQP mode: the launch message is being sent, so the job's updates count already. */
  private boolean launching;
  private boolean cancelRequested;
  private final Object killLock = new Object();
  /** Whether {@link #removeContainers} ran (under {@link #killLock}). */
  private boolean killSent;
  /** The container-removing job, once submitted (under {@link #killLock}). */
  private String killerJob;
  private boolean runningReported;
  private boolean collecting;
  /** Whether the job was removed because it was cancelled while Pulsar staged its inputs. */
  private boolean removedWhilePreprocessing;
  private boolean done;
  /** When the first of the status requests that failed in a row was made; 0 while they succeed. */
  private long failingSinceNanos;
  /** AMQP mode: when Pulsar last said anything of the job, or when it was launched or resumed. */
  private long lastHeardNanos;
  /** AMQP mode: when its status was last asked for; 0 for never. */
  private long lastAskedNanos;
  /**
   * When to look next for the job's exit marker ({@link JobScript#EXIT_MARKER}); 0 until a status
   * said the job runs.
   */
  private long nextExitCheckNanos;
  /** The pause before the look after next: doubled after each look, up to the maximum. */
  private long exitCheckIntervalNanos;
  /** When the exit marker was first found while Pulsar said the job runs; 0 while it was not. */
  private long exitMarkerSeenNanos;
  /**
   * The exit status the command line wrote, once the job was taken as over although Pulsar still
   * said it ran (a job Pulsar could not take over after a restart); null until then.
   */
  private Integer exitBehindPulsar;

  /**
   * @param server the name of the Pulsar server that runs it
   * @param jobId its Pulsar job id
   * @param submitted whether the job was submitted already (one resumed after a restart)
   */
  PulsarJob(String server, String jobId, Task task, TaskEvents events, PulsarBackend backend, boolean submitted) {
    this.server = server;
    this.jobId = jobId;
    this.task = task;
    this.events = events;
    this.backend = backend;
    this.client = backend.client(server);
    this.queue = backend.queue(server);
    this.lastHeardNanos = System.nanoTime();
    this.local = backend.settings().stagingRoot().resolve(jobId);
    this.submitted = submitted;
  }

  String jobId() {
    return jobId;
  }

  String server() {
    return server;
  }

  // -----------------------------------------------------------------------------------------------
  // Submission (on a worker).

  /**
   * Stages the inputs, sets the job up on Pulsar, uploads its files and submits it. When Pulsar
   * fails in a way that may pass (down, 5xx, a dropped connection) after the client's own retries,
   * the whole step is done again, with back-off, until {@code giveUpAfter} passed since the first
   * failure: every step may be repeated (a setup does not reset a job, an upload replaces its file,
   * a second submit is ignored).
   */
  void submit() {
    events.metadata("pulsar.server", server + " (" + client.description() + ")");
    events.metadata("pulsar.job", jobId);
    events.metadata("pulsar.runtime", backend.settings().runtime().parameter());
    if (queue != null) {
      events.metadata("pulsar.queue", queue.description());
    }
    long firstFailure = 0;
    long pauseMillis = 500;
    while (true) {
      BackendException failure = attemptSubmit();
      if (failure == null) {
        return;
      }
      long now = System.nanoTime();
      if (firstFailure == 0) {
        firstFailure = now;
      }
      if (now - firstFailure >= backend.settings().giveUpAfter().toNanos() || cancelled()) {
        events.systemLog("submitting the task to " + client.description() + " failed: " + failure.getMessage());
        end(cancelled() ? State.CANCELED : State.SYSTEM_ERROR, true);
        return;
      }
      LOG.warn("Pulsar job {}: submitting failed ({}); trying again in {} ms", jobId, failure.getMessage(), pauseMillis);
      try {
        Thread.sleep(pauseMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        LOG.debug("Pulsar job {}: the backend closes while it submits; a restarted engine resumes it", jobId);
        return;
      }
      pauseMillis = Math.min(pauseMillis * 2, 10_000);
    }
  }

  /** One attempt of {@link #submit}; a failure worth another attempt, or null when the step ended. */
  private BackendException attemptSubmit() {
    List<Violation> problems = JobScript.check(task, backend.settings().runtime());
    if (!problems.isEmpty()) {
      problems.forEach(p -> events.systemLog("runtime=" + backend.settings().runtime().parameter()
          + " cannot run this task: " + p));
      end(State.SYSTEM_ERROR, false);
      return null;
    }
    boolean setUp = false;
    try {
      Path inputs = local.resolve("in");
      deleteQuietly(local);
      Files.createDirectories(inputs);
      RemoteStaging staging = backend.settings().pulsarStaging()
          ? RemoteStaging.plan(task, backend.transferPolicy())
          : RemoteStaging.none(task);
      backend.stager().stageInputs(staging.engineTask(), inputs);
      if (cancelled()) {
        end(State.CANCELED, false);
        return null;
      }
      JobLayout layout = client.setup(jobId);
      setUp = true;
      if (!layout.jobId().equals(jobId)) {
        events.systemLog("the Pulsar server " + client.description() + " replaced the job id " + jobId + " by "
            + layout.jobId() + " (its app.yml sets assign_ids: uuid); tes4j needs the default, assign_ids: galaxy,"
            + " to find its jobs again after a restart");
        client.clean(layout.jobId());
        end(State.SYSTEM_ERROR, true);
        return null;
      }
      uploadInputs(inputs);
      for (Map.Entry<String, byte[]> file : JobScript.environmentFiles(task, backend.settings().runtime()).entrySet()) {
        client.upload(jobId, file.getKey(), "metadata", file.getValue());
      }
      String commandLine = JobScript.commandLine(task, layout, backend.settings().runtime());
      if (cancelled()) {
        end(State.CANCELED, true);
        return null;
      }
      if (queue != null) {
        synchronized (this) {
          // Pulsar may run a short job and publish its end before the broker's confirm of this
          // message is back: its updates count from now on.
          launching = true;
        }
        queue.setup(jobId, commandLine, null, staging.remoteStaging());
      } else {
        client.submit(jobId, commandLine, null, staging.remoteStaging());
      }
      deleteQuietly(inputs); // on Pulsar now: no copy of them waits here for the task's end
      boolean cancelNow;
      synchronized (this) {
        lastHeardNanos = System.nanoTime();
        submitted = true;
        cancelNow = cancelRequested; // asked while this thread submitted: cancel() left it to us
      }
      if (cancelNow) {
        cancelOnPulsar();
      }
    } catch (TransferException e) {
      events.systemLog("staging the inputs failed: " + e.getMessage());
      end(State.SYSTEM_ERROR, setUp);
    } catch (BackendException e) {
      if (e.retryable()) {
        return e;
      }
      events.systemLog("submitting the task to " + client.description() + " failed: " + e.getMessage());
      end(State.SYSTEM_ERROR, setUp);
    } catch (IOException | UncheckedIOException e) {
      events.systemLog("preparing the task's files on this machine failed: " + e);
      end(State.SYSTEM_ERROR, setUp);
    } catch (RuntimeException e) {
      LOG.error("Pulsar job {}: submitting failed unexpectedly", jobId, e);
      events.systemLog("submitting the task failed unexpectedly: " + e);
      end(State.SYSTEM_ERROR, setUp);
    }
    return null;
  }

  private synchronized boolean cancelled() {
    return cancelRequested;
  }

  /** Uploads every staged file, named by its container path without the leading {@code /}. */
  private void uploadInputs(Path inputs) throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(inputs)) {
      walk.filter(Files::isRegularFile).forEach(files::add);
    }
    for (Path file : files) {
      String name = inputs.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
      client.upload(jobId, name, "input", file);
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Watching (on the poller).

  /** Whether the poller should ask for this job's status. */
  synchronized boolean wantsStatus() {
    return submitted && !collecting && !done;
  }

  /** A status Pulsar answered. */
  void observed(PulsarStatus status) {
    boolean reportRunning = false;
    boolean collectNow = false;
    boolean cancelAgain = false;
    boolean removeNow = false;
    synchronized (this) {
      failingSinceNanos = 0;
      lastHeardNanos = System.nanoTime();
      if (done || collecting || !(submitted || launching)) {
        // Updates come at least once and in any order: nothing after the end counts.
        return;
      }
      if (status.ended()) {
        collecting = true;
        collectNow = true;
        if (!runningReported && status.status().equals("complete")) {
          // The job ran, but no status said so: a short job goes from queued to complete between two
          // polls, and over AMQP Pulsar publishes neither queued nor, for such a job, running.
          runningReported = true;
          reportRunning = true;
        }
      } else {
        if (!runningReported && (status.status().equals("running") || status.status().equals("postprocessing"))) {
          runningReported = true;
          reportRunning = true;
        }
        if (nextExitCheckNanos == 0 && status.status().equals("running")) {
          exitCheckIntervalNanos = backend.settings().exitCheckAfter().toNanos();
          nextExitCheckNanos = lastHeardNanos + exitCheckIntervalNanos;
        }
        // Asked again at every round until the job ended: Pulsar ignores a cancel while the job is
        // preprocessing, and a cancel request may have failed.
        cancelAgain = cancelRequested;
        if (cancelRequested && status.status().equals("preprocessing") && !removedWhilePreprocessing) {
          // Pulsar stages inputs itself (staging=pulsar) and would launch the job once done, cancel
          // or not; without its directory the staging fails, and the job is never launched.
          removedWhilePreprocessing = true;
          removeNow = true;
        }
      }
    }
    if (removeNow) {
      backend.onWorker(() -> {
        try {
          client.clean(jobId);
        } catch (BackendException e) {
          LOG.warn("Pulsar job {}: could not remove it while Pulsar stages its inputs: {}", jobId, e.getMessage());
        }
      });
    }
    if (reportRunning) {
      events.running();
    }
    if (cancelAgain) {
      backend.onWorker(this::cancelOnPulsar);
    }
    if (collectNow && !backend.onWorker(() -> collect(status))) {
      LOG.debug("Pulsar job {} ended while the backend closes; a restarted engine collects it", jobId);
    }
  }

  /** A status request failed: after {@code giveUpAfter} of failures in a row, the task fails. */
  void statusFailed(BackendException failure) {
    long now = System.nanoTime();
    Duration giveUpAfter = backend.settings().giveUpAfter();
    synchronized (this) {
      if (done || collecting) {
        return;
      }
      if (failingSinceNanos == 0) {
        failingSinceNanos = now;
        LOG.warn("Pulsar job {}: cannot read its status ({}); asking again until {} passed", jobId,
            failure.getMessage(), Durations.format(giveUpAfter));
        return;
      }
      if (now - failingSinceNanos < giveUpAfter.toNanos()) {
        return;
      }
    }
    giveUp("the status of Pulsar job " + jobId + " could not be read for " + Durations.format(giveUpAfter)
        + " from " + client.description() + "; the last failure: " + failure.getMessage());
  }

  /** AMQP mode: whether Pulsar said nothing of this watched job for {@code giveUpAfter}. */
  synchronized boolean silentFor(long now, Duration giveUpAfter) {
    return wantsStatus() && now - lastHeardNanos >= giveUpAfter.toNanos();
  }

  /**
   * AMQP mode: whether to ask for this job's status now, and if so notes that it was asked. A job
   * is asked when nothing was heard of it for {@code quiet}, and not asked again before {@code
   * quiet} passed; a job being cancelled every {@code pollInterval}, since Pulsar publishes no
   * {@code cancelled}.
   */
  synchronized boolean statusRequestDue(long now, Duration quiet, Duration pollInterval) {
    if (!wantsStatus()) {
      return false;
    }
    long wait = (cancelRequested || exitBehindPulsar != null ? pollInterval : quiet).toNanos();
    if (now - lastHeardNanos < wait || lastAskedNanos != 0 && now - lastAskedNanos < wait) {
      return false;
    }
    lastAskedNanos = now;
    return true;
  }

  /**
   * Whether to look for the job's exit marker now, and if so notes it: a job Pulsar has said runs
   * for {@code exitCheckAfter}, then at doubling intervals up to {@link
   * PulsarBackend#MAX_EXIT_CHECK_INTERVAL}, so that a long job costs a few looks.
   */
  synchronized boolean exitCheckDue(long now) {
    if (!wantsStatus() || nextExitCheckNanos == 0 || exitBehindPulsar != null || now < nextExitCheckNanos) {
      return false;
    }
    nextExitCheckNanos = now + exitCheckIntervalNanos;
    exitCheckIntervalNanos = Math.min(exitCheckIntervalNanos * 2, PulsarBackend.MAX_EXIT_CHECK_INTERVAL.toNanos());
    return true;
  }

  /**
   * What a look for the exit marker found. Pulsar says {@code running} as long as the pid file of
   * a job stays, and only the Pulsar that started the job removes it: after a restart, a job whose
   * process it could not take over says {@code running} forever, even once it ended (and over
   * REST nothing else tells). A marker seen twice, {@code exitCheckAfter} apart, while Pulsar still
   * says running, is such a job: it is cancelled on Pulsar, which then says {@code cancelled}, and
   * collected as having exited with the marker's status.
   */
  void exitChecked(Optional<byte[]> marker, long now) {
    Integer exit = marker.map(bytes -> new String(bytes, StandardCharsets.UTF_8).strip())
        .filter(text -> text.matches("-?\\d{1,9}")).map(Integer::valueOf).orElse(null);
    synchronized (this) {
      if (done || collecting || exitBehindPulsar != null) {
        return;
      }
      if (exit == null) {
        exitMarkerSeenNanos = 0;
        return;
      }
      long grace = backend.settings().exitCheckAfter().toNanos();
      if (exitMarkerSeenNanos == 0) {
        exitMarkerSeenNanos = now;
        nextExitCheckNanos = now + grace; // a job that just ended is complete long before then
        return;
      }
      if (now - exitMarkerSeenNanos < grace) {
        return;
      }
      exitBehindPulsar = exit;
    }
    LOG.warn("Pulsar job {}: its command line ended with {} at least {} ago, but Pulsar still says it runs"
        + " (it does for a job it could not take over after a restart); cancelling it on Pulsar to collect it",
        jobId, exit, Durations.format(backend.settings().exitCheckAfter()));
    backend.onWorker(this::stopOnPulsar);
  }

  /** Ends the task SYSTEM_ERROR for {@code reason}, asking Pulsar to stop and clean the job. */
  void giveUp(String reason) {
    synchronized (this) {
      if (done || collecting) {
        return;
      }
      collecting = true;
    }
    events.systemLog(reason + ". The job may still run there: it was asked to stop");
    boolean asked = backend.onWorker(() -> {
      stopOnPulsar();
      try {
        client.clean(jobId);
      } catch (BackendException e) {
        LOG.warn("Pulsar job {}: could not clean it: {}", jobId, e.getMessage());
      }
      // Ended only now, so that whoever closes the engine once the task ended does not cut this short.
      end(State.SYSTEM_ERROR, false);
    });
    if (!asked) {
      end(State.SYSTEM_ERROR, false);
    }
  }

  /**
   * Asks Pulsar to kill the job, before a clean that would otherwise leave its process running (a
   * clean does not kill): over the queue in AMQP mode, and over HTTP in both modes, since the
   * queue's consumers may be what is silent, and a kill they took after the clean would find no
   * job to kill. Best effort: failures are logged.
   */
  private void stopOnPulsar() {
    if (queue != null) {
      try {
        queue.kill(jobId);
      } catch (BackendException e) {
        LOG.warn("Pulsar job {}: could not send the kill: {}", jobId, e.getMessage());
      }
    }
    try {
      client.cancel(jobId);
    } catch (BackendException e) {
      LOG.warn("Pulsar job {}: could not cancel it: {}", jobId, e.getMessage());
    }
  }

  /** Asks Pulsar to kill job {@code id}: over its queue in AMQP mode, else over HTTP. */
  private void kill(String id) {
    if (queue != null) {
      queue.kill(id);
    } else {
      client.cancel(id);
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Cancel.

  /** The engine asks the task to stop. */
  void cancel() {
    boolean onPulsar;
    synchronized (this) {
      if (cancelRequested || done) {
        return;
      }
      cancelRequested = true;
      onPulsar = submitted && !collecting;
    }
    if (onPulsar) {
      backend.onWorker(this::cancelOnPulsar);
    }
    // Before the submit, submit() sees the request and ends the task CANCELED itself.
  }

  /**
   * Kills the job on Pulsar; for docker, also removes its containers by name ({@link
   * #removeContainers}), since killing the docker client leaves the container running. The task
   * ends when the poller sees the job ended, and once the containers are removed.
   */
  private void cancelOnPulsar() {
    try {
      kill(jobId);
    } catch (BackendException e) {
      LOG.warn("Pulsar job {}: cancel failed ({}); it is asked again at the next status round", jobId,
          e.getMessage());
    }
    removeContainers();
  }

  /**
   * For docker, submits once a one-line job of its own ({@code JOB-rm}) that removes the task's
   * containers; returns its id, or null (another runtime, or the submit failed, which is logged).
   * Guarded by {@link #killLock}, not by this job's lock, which the poller takes.
   */
  private String removeContainers() {
    if (backend.settings().runtime() != PulsarRuntime.DOCKER) {
      return null;
    }
    synchronized (killLock) {
      if (!killSent) {
        killSent = true;
        String killer = jobId + "-rm";
        try {
          List<String> names = JobScript.containerNames(new JobLayout(jobId, "/", "/", "/", "/", "/"), task);
          String command = JobScript.removeContainersCommand(names);
          if (queue != null) {
            queue.setup(killer, command, Map.of("job_id", killer), null);
          } else {
            client.submit(killer, command, Map.of("job_id", killer), null);
          }
          killerJob = killer;
        } catch (BackendException e) {
          events.systemLog("removing the task's docker containers through Pulsar job " + killer + " failed: "
              + e.getMessage());
        }
      }
      return killerJob;
    }
  }

  /**
   * Waits for the container-removing job to end, then cleans it; after {@code giveUpAfter}, says
   * that the containers may still run.
   */
  private void awaitContainersRemoved(String killer) {
    if (backend.awaitEnded(server, killer, backend.settings().giveUpAfter()) != null) {
      try {
        client.clean(killer);
      } catch (BackendException e) {
        events.systemLog("could not remove the directory of Pulsar job " + killer + ", which removed the task's"
            + " docker containers: " + e.getMessage());
      }
      return;
    }
    events.systemLog("Pulsar job " + killer + ", which removes the task's docker containers, did not end within "
        + Durations.format(backend.settings().giveUpAfter()) + "; they may still run on the Pulsar host");
  }

  // -----------------------------------------------------------------------------------------------
  // Collection (on a worker).

  /** Reads the executors' logs, stages the outputs when the executors succeeded, and ends the task. */
  private void collect(PulsarStatus status) {
    State state;
    try {
      Set<String> metadata = new HashSet<>(status.metadataContents());
      Integer failedExecutor = reportExecutors(metadata);
      Integer exitBehind;
      synchronized (this) {
        exitBehind = exitBehindPulsar;
      }
      if (exitBehind != null && !cancelled() && (status.status().equals("cancelled") || status.status().equals("complete"))) {
        events.systemLog("Pulsar still said the job was running " + Durations.format(backend.settings().exitCheckAfter())
            + " after its command line had ended with " + exitBehind + " (Pulsar does so for a job it could not take"
            + " over after a restart); it was collected as ended");
        state = completed(status, failedExecutor, exitBehind);
      } else if (cancelled()) {
        String killer = removeContainers();
        if (killer != null) {
          awaitContainersRemoved(killer);
        }
        state = State.CANCELED;
      } else {
        state = switch (status.status()) {
          case "complete" -> completed(status, failedExecutor, status.returnCode());
          case "failed" -> {
            events.systemLog("Pulsar could not launch the job (status failed, returncode " + status.returnCode()
                + ")" + (backend.settings().pulsarStaging() ? ", perhaps because an input it downloads itself (staging=pulsar) failed" : "")
                + "; Pulsar writes the reason only to its log and to the job directory's stderr file, which its"
                + " API does not serve");
            yield State.SYSTEM_ERROR;
          }
          case "cancelled" -> {
            events.systemLog("the job was cancelled on the Pulsar server, not by this engine");
            yield State.SYSTEM_ERROR;
          }
          case "lost" -> {
            // After a restart Pulsar says lost for a job whose process it could not take over, and
            // which may still run: it is asked to stop before its directory is removed.
            stopOnPulsar();
            events.systemLog("Pulsar lost the job: its directory is gone, or Pulsar could not recover it after a"
                + " restart; it was asked to stop, in case its process still runs");
            yield State.SYSTEM_ERROR;
          }
          default -> {
            events.systemLog("Pulsar ended the job with an unknown status '" + status.status() + "'");
            yield State.SYSTEM_ERROR;
          }
        };
      }
    } catch (BackendException e) {
      events.systemLog("collecting the job's results from " + client.description() + " failed: " + e.getMessage());
      state = State.SYSTEM_ERROR;
    } catch (TransferException e) {
      events.systemLog("staging the outputs failed: " + e.getMessage());
      state = State.SYSTEM_ERROR;
    } catch (IOException | UncheckedIOException e) {
      events.systemLog("collecting the job's results on this machine failed: " + e);
      state = State.SYSTEM_ERROR;
    } catch (RuntimeException e) {
      LOG.error("Pulsar job {}: collecting failed unexpectedly", jobId, e);
      events.systemLog("collecting the job's results failed unexpectedly: " + e);
      state = State.SYSTEM_ERROR;
    }
    end(state, true);
  }

  /**
   * Reports each executor's start and end from the files the command line wrote; returns the index
   * of the first executor that failed without {@code ignore_error}, or null.
   */
  private Integer reportExecutors(Set<String> metadata) {
    Integer failed = null;
    for (int i = 0; i < task.executors().size(); i++) {
      String start = JobLayout.executorFile(i, "start");
      if (!metadata.contains(start)) {
        break; // the chain stopped before this executor
      }
      events.executorStarted(i, JobScript.parseTime(small(start)));
      String rc = JobLayout.executorFile(i, "rc");
      if (!metadata.contains(rc)) {
        break; // killed while it ran
      }
      int exitCode = Integer.parseInt(small(rc).strip());
      String end = JobLayout.executorFile(i, "end");
      Instant endTime = metadata.contains(end) ? JobScript.parseTime(small(end)) : Instant.now();
      events.executorFinished(i, endTime, exitCode, tail(metadata, JobLayout.executorFile(i, "stdout")),
          tail(metadata, JobLayout.executorFile(i, "stderr")));
      Executor executor = task.executors().get(i);
      if (exitCode != 0 && failed == null) {
        if (Boolean.TRUE.equals(executor.ignoreError())) {
          events.systemLog("executors[" + i + "] exited with " + exitCode + "; ignore_error is set, so the task goes on");
        } else {
          events.systemLog("executors[" + i + "] exited with " + exitCode
              + (i + 1 < task.executors().size() ? "; the executors after it did not run" : ""));
          failed = i;
        }
      }
    }
    return failed;
  }

  private State completed(PulsarStatus status, Integer failedExecutor, Integer rc) throws IOException {
    if (failedExecutor != null) {
      return State.EXECUTOR_ERROR;
    }
    if (rc == null || rc != 0) {
      events.systemLog("the job's command line exited with " + rc + " before or between the executors;"
          + " its standard error: " + lastLines(status.jobStderr()));
      return State.SYSTEM_ERROR;
    }
    Path outputs = local.resolve("out");
    Files.createDirectories(outputs);
    downloadOutputs(status, outputs);
    List<OutputFileLog> uploaded = backend.stager().stageOutputs(task, outputs);
    events.outputs(List.copyOf(uploaded));
    return State.COMPLETE;
  }

  /**
   * Downloads what the outputs need: each FILE output Pulsar listed, and every listed file under a
   * DIRECTORY output or the fixed part of a wildcard. What is missing is left missing, so that the
   * stager names it.
   */
  private void downloadOutputs(PulsarStatus status, Path outputs) {
    Set<String> listed = new HashSet<>(status.outputsContents());
    Set<String> wanted = new HashSet<>();
    for (Output output : task.outputs()) {
      String path = Stager.normalize(output.path());
      String relative = path.substring(1);
      if (!Stager.hasWildcard(path) && output.type() != FileType.DIRECTORY && listed.contains(relative)) {
        wanted.add(relative);
        continue;
      }
      String directory = Stager.hasWildcard(path) ? Stager.staticParent(path) : path;
      String prefix = directory.equals("/") ? "" : directory.substring(1) + "/";
      for (String entry : listed) {
        if (entry.startsWith(prefix)) {
          wanted.add(entry);
        }
      }
    }
    for (String name : wanted) {
      client.download(jobId, name, "output", Stager.hostPath(outputs, "/" + name));
    }
  }

  private String small(String name) {
    return new String(client.download(jobId, name, "output_metadata"), StandardCharsets.UTF_8);
  }

  /**
   * The end of an executor's captured stream, from the tail file the command line wrote ({@link
   * JobScript#STREAM_TAIL_BYTES} at most), or null when there is none.
   */
  private String tail(Set<String> metadata, String stream) {
    String name = stream + ".tail";
    return metadata.contains(name) ? small(name) : null;
  }

  private static String lastLines(String text) {
    String stripped = text == null ? "" : text.strip();
    return stripped.isEmpty() ? "(empty)" : stripped.length() > 2000 ? "..." + stripped.substring(stripped.length() - 2000) : stripped;
  }

  // -----------------------------------------------------------------------------------------------
  // The end.

  /** Cleans the job on Pulsar (when it was set up) and on this machine, then ends the task. */
  private void end(State state, boolean cleanOnPulsar) {
    synchronized (this) {
      done = true;
      collecting = true;
    }
    if (cleanOnPulsar) {
      try {
        client.clean(jobId);
      } catch (BackendException e) {
        events.systemLog("could not remove the job's directory on " + client.description() + ": " + e.getMessage());
      }
    }
    deleteQuietly(local);
    backend.forget(this);
    events.finished(state);
  }

  private void deleteQuietly(Path directory) {
    List<String> problems = LocalPaths.deleteTree(directory);
    if (!problems.isEmpty()) {
      LOG.warn("Pulsar job {}: could not remove all of its staging directory {}: {}", jobId, directory,
          String.join("; ", problems));
    }
  }
}
