/**
 * The {@code tes4j} command line: {@link io.tes4j.cli.Main}. The commands themselves live in
 * {@code io.tes4j.cli.internal}, which is not an API.
 */
package io.tes4j.cli;
