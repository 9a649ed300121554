package io.tes4j.transfer;

/**
 * What a directory or recursive transfer moved.
 *
 * @param files how many files
 * @param bytes how many bytes in all
 */
public record TransferSummary(int files, long bytes) {}
