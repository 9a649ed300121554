/**
 * Moving task files: {@link io.tes4j.transfer.Transfers} (download, upload, copy, list, delete,
 * directories) over file, HTTP(S), FTP and S3 locations, and {@link io.tes4j.transfer.Stager},
 * which stages a TES task's inputs and outputs with the spec's semantics.
 */
package io.tes4j.transfer;
