package io.tes4j.model;

/**
 * Whether an input or output is a single file or a directory ({@code tesFileType}).
 *
 * <p>Optional since TES 1.1: clients need not send it, and the spec's default is {@link #FILE}. A
 * value this library does not know reads as {@code null} (absent).
 */
public enum FileType {
  /** A single file. */
  FILE,
  /** A directory, copied recursively. */
  DIRECTORY
}
