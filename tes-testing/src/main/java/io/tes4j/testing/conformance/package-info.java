/**
 * The conformance kit for backends: {@link io.tes4j.testing.conformance.BackendConformance}, an
 * abstract JUnit 5 test that a backend's own test extends by supplying the backend. It checks,
 * through a {@link io.tes4j.engine.TesEngine} over that backend and the {@link
 * io.tes4j.api.TesClient} API only, what a user relies on: the terminal states, the order of
 * states, the logs, cancel, the views, inputs and outputs, {@code env} and {@code workdir}, and
 * resume after a restart. Checks of a capability the backend lacks ({@link
 * io.tes4j.spi.Capabilities}) are skipped with the reason.
 *
 * <pre>{@code
 * class MyBackendConformanceTest extends BackendConformance {
 *   @Override
 *   protected Backend newBackend() {
 *     return MyBackend.builder().build();
 *   }
 * }
 * }</pre>
 */
package io.tes4j.testing.conformance;
