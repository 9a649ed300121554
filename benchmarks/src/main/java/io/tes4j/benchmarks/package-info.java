/**
 * Benchmarks, not published: JMH benchmarks of the engine ({@link
 * io.tes4j.benchmarks.EngineThroughputBenchmark}, {@link io.tes4j.benchmarks.LookupBenchmark}), the
 * heap measure {@link io.tes4j.benchmarks.HeapPerTask}, and loopback servers for benchmarking {@code
 * tes4j cp} against curl.
 */
package io.tes4j.benchmarks;
