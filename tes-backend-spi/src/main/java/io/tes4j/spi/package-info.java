/**
 * For backend authors: where tasks really run. Implement {@link io.tes4j.spi.BackendProvider} and
 * {@link io.tes4j.spi.Backend}, register the provider in {@code
 * META-INF/services/io.tes4j.spi.BackendProvider}, and {@code TesClient.connect("yourscheme:...")}
 * gives an engine over your backend.
 *
 * <p>The contract, in short:
 *
 * <ul>
 *   <li>A backend only <em>executes</em>. The engine ({@link io.tes4j.engine.TesEngine}) owns the
 *       TES semantics: ids, the state machine, views, filters, paging, cancel, admission limits and
 *       the store. The backend is handed a task that was validated and admitted, with its id set.
 *   <li>{@link io.tes4j.spi.Backend#start} returns at once with a handle (a process id, a Pulsar job
 *       id, a Kubernetes job name) that the engine stores, and the backend reports progress later,
 *       from any thread, through the {@link io.tes4j.spi.TaskEvents} it was given.
 *   <li>A task that ran and failed is reported as a terminal state, never thrown. A backend throws
 *       {@link io.tes4j.api.BackendException} only when it could not take the task at all; the
 *       engine then ends the task as SYSTEM_ERROR with the message in its system logs.
 *   <li>What a backend can do is declared in {@link io.tes4j.spi.Capabilities}: the engine rejects
 *       {@code backend_parameters_strict} tasks with parameters the backend does not list, and the
 *       conformance kit in {@code tes-testing} skips, with the reason, what the backend lacks.
 * </ul>
 */
package io.tes4j.spi;
