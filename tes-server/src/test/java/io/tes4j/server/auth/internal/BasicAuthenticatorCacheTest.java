package io.tes4j.server.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.server.auth.AuthenticationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

class BasicAuthenticatorCacheTest {
  @TempDir Path dir;

  /** A clock the test moves. */
  private static final class MovableClock extends Clock {
    Instant now = Instant.parse("2026-12-02T08:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aSuccessfulCheckIsRememberedForAMinuteOnly() throws Exception {
    // Cost 12: a few hundred milliseconds a check, so a cache hit is plainly faster.
    Path users = dir.resolve("users");
    Files.writeString(users, "alice:" + BCrypt.hashpw("pw", BCrypt.gensalt("$2y", 12)) + "\n");
    MovableClock clock = new MovableClock();
    BasicAuthenticator auth = BasicAuthenticator.load(users, clock);

    long first = nanos(() -> auth.authenticate(basic("alice", "pw")));
    long cached = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      cached = Math.min(cached, nanos(() -> auth.authenticate(basic("alice", "pw"))));
    }
    assertThat(cached).isLessThan(first / 10);

    // A wrong password is never answered from the cache.
    assertThatThrownBy(() -> auth.authenticate(basic("alice", "pw2")))
        .isInstanceOf(AuthenticationException.class);

    clock.now = clock.now.plus(BasicAuthenticator.CACHE_TTL).plus(Duration.ofSeconds(1));
    long expired = nanos(() -> auth.authenticate(basic("alice", "pw")));
    assertThat(expired).isGreaterThan(cached * 10);
  }

  private static long nanos(Runnable action) {
    long start = System.nanoTime();
    action.run();
    return System.nanoTime() - start;
  }
}
