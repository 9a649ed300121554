/**
 * The engine: TES 1.1 in-process. {@link io.tes4j.engine.TesEngine} is a {@link
 * io.tes4j.api.TesClient} that keeps tasks in a {@link io.tes4j.store.TaskStore}, admits them to a
 * backend ({@link io.tes4j.spi.Backend}, chosen by URI scheme) within limits, and runs the TES state
 * machine on what the backend reports; {@link io.tes4j.engine.TaskListener} is told of every change
 * of state.
 *
 * <pre>{@code
 * try (TesClient tes = TesClient.connect("mock:")) {   // a TesEngine over tes-testing's MockBackend
 *   String id = tes.createTask(task);
 *   System.out.println(tes.await(id, Duration.ofSeconds(30)).state());
 * }
 * }</pre>
 */
package io.tes4j.engine;
