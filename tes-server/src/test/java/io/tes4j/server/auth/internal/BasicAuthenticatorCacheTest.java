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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
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

  /** The real bcrypt check, counting its calls and recording the hashes it was given. */
  private static final class CountingCheck implements BasicAuthenticator.PasswordCheck {
    final List<String> hashes = new ArrayList<>();

    @Override
    public boolean matches(byte[] password, String hash) {
      hashes.add(hash);
      return BCrypt.checkpw(password, hash);
    }
  }

  @Test
  void aSuccessfulCheckIsRememberedForAMinuteOnly() throws Exception {
    Path users = dir.resolve("users");
    String hash = BCrypt.hashpw("pw", BCrypt.gensalt("$2y", 4));
    Files.writeString(users, "alice:" + hash + "\n");
    MovableClock clock = new MovableClock();
    CountingCheck check = new CountingCheck();
    BasicAuthenticator auth = BasicAuthenticator.load(users, clock, check);

    assertThat(auth.authenticate(basic("alice", "pw")).user()).isEqualTo("alice");
    assertThat(check.hashes).containsExactly(hash);
    for (int i = 0; i < 3; i++) {
      assertThat(auth.authenticate(basic("alice", "pw")).user()).isEqualTo("alice");
    }
    assertThat(check.hashes).as("answered from the cache: no further bcrypt check").hasSize(1);

    // A wrong password is never answered from the cache.
    assertThatThrownBy(() -> auth.authenticate(basic("alice", "pw2")))
        .isInstanceOf(AuthenticationException.class);
    assertThat(check.hashes).hasSize(2);

    clock.now = clock.now.plus(BasicAuthenticator.CACHE_TTL).plus(Duration.ofSeconds(1));
    assertThat(auth.authenticate(basic("alice", "pw")).user()).isEqualTo("alice");
    assertThat(check.hashes).as("checked again once the entry expired").hasSize(3);
  }

  @Test
  void anUnknownUserCostsABcryptCheckAgainstTheDummyHash() throws Exception {
    // So that the answer takes as long as for a known user: timing tells no user names.
    Path users = dir.resolve("users");
    String hash = BCrypt.hashpw("pw", BCrypt.gensalt("$2y", 6));
    Files.writeString(users, "alice:" + hash + "\n");
    CountingCheck check = new CountingCheck();
    BasicAuthenticator auth = BasicAuthenticator.load(users, new MovableClock(), check);

    assertThatThrownBy(() -> auth.authenticate(basic("nobody", "pw")))
        .isInstanceOf(AuthenticationException.class)
        .hasMessage("unknown user or wrong password");

    assertThat(check.hashes).hasSize(1);
    String dummy = check.hashes.get(0);
    assertThat(dummy).isNotEqualTo(hash);
    // Of the file's usual cost, so that it takes as long as a real check.
    assertThat(dummy).startsWith("$2a$06$");
  }
}
