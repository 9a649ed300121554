/**
 * The {@code s3} storage: {@link io.tes4j.transfer.internal.s3.S3StorageProvider} and {@link
 * io.tes4j.transfer.internal.s3.S3Storage}, on the MinIO Java client. Internal: use it through
 * {@code Transfers}.
 */
package io.tes4j.transfer.internal.s3;
