/**
 * {@link io.tes4j.server.TesServer}: the TES 1.1 HTTP API over any {@link io.tes4j.api.TesClient}
 * (usually a {@code TesEngine} over a backend), on the JDK's HTTP server.
 */
package io.tes4j.server;
