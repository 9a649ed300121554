package io.tes4j.server;

import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import java.nio.file.Path;
import java.util.List;

/**
 * What the tasks a server accepts may reference. By default: {@code http}, {@code https},
 * {@code ftp} and {@code s3} URLs on any host, and no {@code file:} URL at all, since a server
 * must not let its callers read or write the host's files. {@code file:} URLs are allowed only
 * under {@link Builder#fileRoots(Path...) file roots}.
 *
 * <p>SKELETON: the contract the server's helpers share; the implementation comes next.
 */
public final class TaskPolicy {
  private TaskPolicy() {}

  /** http, https, ftp and s3 on any host; no file: URLs. */
  public static TaskPolicy defaults() {
    throw new UnsupportedOperationException("skeleton");
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    throw new UnsupportedOperationException("skeleton");
  }

  /** Every problem of {@code task} under this policy, each with its JSON path; empty if none. */
  public List<Violation> check(Task task) {
    throw new UnsupportedOperationException("skeleton");
  }

  /** Builds a {@link TaskPolicy}. */
  public static final class Builder {
    private Builder() {}

    /** Directories under which {@code file:} inputs and outputs are allowed. */
    public Builder fileRoots(Path... roots) {
      throw new UnsupportedOperationException("skeleton");
    }

    /** The URL schemes allowed (replacing the defaults); {@code file} needs file roots too. */
    public Builder allowSchemes(String... schemes) {
      throw new UnsupportedOperationException("skeleton");
    }

    /** The hosts allowed: exact names, or {@code *.example.org}; none given means any host. */
    public Builder allowHosts(String... hosts) {
      throw new UnsupportedOperationException("skeleton");
    }

    /** The policy. */
    public TaskPolicy build() {
      throw new UnsupportedOperationException("skeleton");
    }
  }
}
