/**
 * For adding a storage: implement {@link io.tes4j.transfer.spi.StorageProvider} and
 * {@link io.tes4j.transfer.spi.Storage}, and register the provider with
 * {@link java.util.ServiceLoader}. A storage does single attempts; retries, temporary files,
 * atomic moves and size checks are done for it.
 */
package io.tes4j.transfer.spi;
