package io.tes4j.backend.local.internal;

import io.tes4j.api.BackendException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whom docker and podman run containers as: the {@code local:} parameter {@code user}.
 *
 * <ul>
 *   <li>{@code engine} (the default): this process's uid and gid, so that what the executors
 *       write in the work directory is the engine's to stage out and delete.
 *   <li>{@code image}: the image's own {@code USER} (often root), as {@code docker run} does.
 *   <li>{@code UID:GID}: those numbers.
 * </ul>
 *
 * @param kind which of the three
 * @param uid the user id, for {@link Kind#ENGINE} and {@link Kind#IDS}; -1 for {@link Kind#IMAGE}
 * @param gid the group id, likewise
 */
public record ContainerUser(Kind kind, long uid, long gid) {
  private static final Pattern IDS = Pattern.compile("([0-9]{1,10}):([0-9]{1,10})");
  /** The largest uid or gid: 2^32 - 2, since (uid_t) -1 means none. */
  private static final long MAX_ID = 4_294_967_294L;

  /** The values of the parameter, for messages. */
  public static final String ALLOWED =
      "engine (the default: this process's uid:gid), image (the image's own USER) or UID:GID in numbers,"
          + " e.g. 1000:1000";

  /** The three kinds. */
  public enum Kind {
    /** This process's uid:gid. */
    ENGINE,
    /** The image's {@code USER}. */
    IMAGE,
    /** Given numbers. */
    IDS
  }

  /** {@code engine}: resolved when a launcher opens. */
  public static final ContainerUser ENGINE = new ContainerUser(Kind.ENGINE, -1, -1);

  /**
   * The user {@code value} names.
   *
   * @throws IllegalArgumentException {@code user=VALUE is not a container user; use ...}
   */
  public static ContainerUser parse(String value) {
    String wanted = value.strip().toLowerCase(Locale.ROOT);
    if (wanted.equals("engine") || wanted.isEmpty()) {
      return ENGINE;
    }
    if (wanted.equals("image")) {
      return new ContainerUser(Kind.IMAGE, -1, -1);
    }
    Matcher ids = IDS.matcher(wanted);
    if (ids.matches()) {
      long uid = Long.parseLong(ids.group(1));
      long gid = Long.parseLong(ids.group(2));
      if (uid <= MAX_ID && gid <= MAX_ID) {
        return new ContainerUser(Kind.IDS, uid, gid);
      }
    }
    throw new IllegalArgumentException("user=" + value + " is not a container user; use " + ALLOWED);
  }

  /** The parameter's value that gives this user back: {@code engine}, {@code image} or {@code UID:GID}. */
  public String parameter() {
    return switch (kind) {
      case ENGINE -> "engine";
      case IMAGE -> "image";
      case IDS -> uid + ":" + gid;
    };
  }

  /**
   * This user with {@link Kind#ENGINE} resolved to {@code uid} and {@code gid}; others as they are.
   */
  ContainerUser resolve(long engineUid, long engineGid) {
    return kind == Kind.ENGINE ? new ContainerUser(Kind.ENGINE, engineUid, engineGid) : this;
  }

  /**
   * This process's uid and gid.
   *
   * @throws BackendException when this platform cannot say (not a Unix)
   */
  public static long[] processIds() {
    try {
      com.sun.security.auth.module.UnixSystem unix = new com.sun.security.auth.module.UnixSystem();
      return new long[] {unix.getUid(), unix.getGid()};
    } catch (LinkageError | RuntimeException e) {
      throw new BackendException(
          "cannot find this process's uid and gid to run containers as (user=engine): " + e
              + "; set user=UID:GID or user=image", e);
    }
  }
}
