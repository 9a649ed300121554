/**
 * The implementations behind {@link io.tes4j.server.auth.Authenticators}: not API, may change in
 * any release.
 */
package io.tes4j.server.auth.internal;
