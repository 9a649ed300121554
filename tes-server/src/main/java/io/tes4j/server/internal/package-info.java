/**
 * The implementation of tes-server: the Jetty adapter, read deadlines, PEM keys, query parsing, request ids, the access log.
 * Internal: not part of the API, may change in any release.
 */
package io.tes4j.server.internal;
