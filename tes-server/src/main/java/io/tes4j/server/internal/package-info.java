/**
 * The implementation of tes-server: the JDK HTTP server adapter, query parsing, request ids.
 * Internal: not part of the API, may change in any release.
 */
package io.tes4j.server.internal;
