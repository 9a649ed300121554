/**
 * Authentication for {@link io.tes4j.server.TesServer}: none, HTTP Basic with hashed passwords
 * from a file, Bearer tokens with scopes, and OIDC JWTs checked against an issuer's JWKS.
 */
package io.tes4j.server.auth;
