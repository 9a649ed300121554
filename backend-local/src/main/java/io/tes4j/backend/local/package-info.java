/**
 * The local backend: TES tasks on this machine, in docker, podman, apptainer or singularity
 * containers, or as host processes in private namespaces. The entry points are {@link
 * io.tes4j.backend.local.LocalBackendProvider} (scheme {@code local:}, found by the engine through
 * {@link java.util.ServiceLoader}) and {@link io.tes4j.backend.local.LocalBackend#builder()} for
 * programmatic use; {@link io.tes4j.backend.local.LocalRuntime} names the runtimes.
 */
package io.tes4j.backend.local;
