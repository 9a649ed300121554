/**
 * The local backend's implementation: not API. {@code TaskRun} drives one task; a {@code
 * Launcher} per runtime builds the executors' command lines ({@code ContainerLauncher} for docker
 * and podman, {@code ApptainerLauncher} for apptainer and singularity, {@code HostLauncher} for
 * host processes in private namespaces).
 */
package io.tes4j.backend.local.internal;
