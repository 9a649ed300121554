/**
 * The {@code pulsar+http:} and {@code pulsar+https:} backend: TES tasks run as Galaxy Pulsar jobs.
 * See {@link io.tes4j.backend.pulsar.PulsarBackendProvider} for the URIs and their parameters.
 */
package io.tes4j.backend.pulsar;
