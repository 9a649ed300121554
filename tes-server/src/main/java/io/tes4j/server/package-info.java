/**
 * The TES 1.1 HTTP API over any {@link io.tes4j.api.TesClient} (usually a {@code TesEngine} over a
 * backend): {@link io.tes4j.server.TesServer} runs it on the JDK's HTTP server; {@link
 * io.tes4j.server.TesApi} is the same API without a web server ({@link io.tes4j.server.ApiRequest}
 * in, {@link io.tes4j.server.ApiResponse} out), to mount in any other; {@link
 * io.tes4j.server.TaskPolicy} says what URLs tasks may reference. Authentication is in {@link
 * io.tes4j.server.auth}.
 */
package io.tes4j.server;
