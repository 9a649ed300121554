package io.tes4j.backend.pulsar.internal;

/**
 * A directory or file of the Pulsar job mounted at a container path. Where it is on the Pulsar
 * host follows from the {@link JobLayout} rule: an input's under {@code inputs/}, anything
 * writable under {@code outputs/}, at the container path.
 *
 * @param containerPath the absolute, normalised path in the container
 * @param kind what it is, which says where it is on the host and whether it is read-only
 * @param field the task field it comes from, for messages: {@code inputs[0].path}
 */
record ContainerMount(String containerPath, Kind kind, String field) {

  /** What a mount holds. */
  enum Kind {
    /** A staged input (file or directory), read-only, under {@code inputs/}. */
    INPUT,
    /** An output's directory or a volume, read-write, under {@code outputs/}. */
    WRITABLE_DIRECTORY,
    /**
     * A FILE output directly under {@code /}, read-write, under {@code outputs/}: a container's
     * {@code /} cannot be mounted, so the file itself is (created empty first).
     */
    WRITABLE_FILE
  }

  /** Whether the executor may only read it. */
  boolean readOnly() {
    return kind == Kind.INPUT;
  }

  /** The job directory it lives in on the Pulsar host: {@code inputs/} or {@code outputs/}. */
  String hostBase(JobLayout layout) {
    return kind == Kind.INPUT ? layout.inputsDirectory() : layout.outputsDirectory();
  }

  /** Its path on the Pulsar host. */
  String hostPath(JobLayout layout) {
    return MountPlan.join(hostBase(layout), containerPath);
  }
}
