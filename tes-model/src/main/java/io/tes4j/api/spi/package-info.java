/**
 * For modules that add a way to reach TES: implement {@link io.tes4j.api.spi.TesClientProvider}
 * and register it with {@link java.util.ServiceLoader}; {@link io.tes4j.api.TesClient#connect}
 * then opens your client for the URI schemes you claim.
 */
package io.tes4j.api.spi;
