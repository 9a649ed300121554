package io.tes4j.backend.local.internal;

import java.nio.file.Path;

/**
 * A directory or file of the task's work directory, mounted at a container path.
 *
 * @param containerPath the absolute, normalised path in the container
 * @param hostPath where it is on this machine
 * @param readOnly whether the executor may only read it
 */
record Mount(String containerPath, Path hostPath, boolean readOnly) {}
