/** Loopback servers for benchmarking {@code tes4j cp} against curl; not published. */
package io.tes4j.benchmarks;
