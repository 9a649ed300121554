/**
 * The HTTP client for TES 1.1 servers: {@link io.tes4j.client.TesHttpClient}, configured with
 * {@link io.tes4j.client.TesAuth} and {@link io.tes4j.client.RetrySettings}. It is also what {@link
 * io.tes4j.api.TesClient#connect(String)} opens for {@code http://} and {@code https://}.
 *
 * <pre>{@code
 * try (TesHttpClient tes = TesHttpClient.builder()
 *     .baseUrl("http://localhost:8000/ga4gh/tes/v1")
 *     .auth(TesAuth.basic("alice", System.getenv("TES_PASSWORD")))
 *     .build()) {
 *   String id = tes.createTask(Task.builder()
 *       .addExecutor(Executor.of("alpine:3.20", "echo", "hello"))
 *       .build());
 *   Task done = tes.await(id, Duration.ofMinutes(10));
 *   System.out.println(done.state() + " " + done.lastLog().map(TaskLog::logs));
 * }
 * }</pre>
 */
package io.tes4j.client;
