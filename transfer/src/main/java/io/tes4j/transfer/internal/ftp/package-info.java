/**
 * The FTP storage: {@link io.tes4j.transfer.internal.ftp.FtpStorageProvider} and what it uses (a
 * connection pool, reply-code mapping, the download stream). Internal: not an API.
 */
package io.tes4j.transfer.internal.ftp;
