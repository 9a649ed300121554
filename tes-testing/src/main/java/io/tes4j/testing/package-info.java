/**
 * For tests of code that runs TES tasks: {@link io.tes4j.testing.MockBackend} (the {@code mock:}
 * scheme), whose {@link io.tes4j.testing.Outcome}s script what happens to each task and which
 * records the tasks it received, and {@link io.tes4j.testing.TesExtension}, the JUnit 5 extension
 * that gives each test class or test a {@link io.tes4j.engine.TesEngine} over it.
 *
 * <pre>{@code
 * @RegisterExtension static TesExtension tes = TesExtension.mock().delay(Duration.ZERO);
 *
 * @Test
 * void runs(TesClient client, MockBackend mock) {
 *   String id = client.createTask(task);
 *   assertThat(client.await(id, Duration.ofSeconds(5)).state()).isEqualTo(State.COMPLETE);
 * }
 * }</pre>
 */
package io.tes4j.testing;
