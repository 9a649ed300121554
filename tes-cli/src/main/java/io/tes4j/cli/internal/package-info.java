/** The commands of {@code tes4j} and their plumbing. Internal: not an API, may change at any time. */
package io.tes4j.cli.internal;
