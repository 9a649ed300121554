package io.tes4j.server.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.RSAKey;
import io.tes4j.server.auth.AuthenticationUnavailableException;
import io.tes4j.server.auth.OidcSettings;
import io.tes4j.server.auth.TestIssuer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** A server started while its issuer is down works once the issuer is back. */
class OidcDiscoveryRetryTest {

  /** A clock the test moves; it starts at the real time, since nimbus checks claims with it too. */
  private static final class MovableClock extends Clock {
    volatile Instant now = Instant.now();

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void aFailedDiscoveryIsTriedAgainAfterTenSeconds() throws Exception {
    try (TestIssuer issuer = new TestIssuer()) {
      RSAKey key = TestIssuer.rsaKey("k1");
      issuer.publish(key);
      issuer.discoveryStatus = 500;
      MovableClock clock = new MovableClock();
      OidcAuthenticator auth =
          new OidcAuthenticator(OidcSettings.builder(issuer.issuer).build(), clock);
      String header = "Bearer " + TestIssuer.sign(key, issuer.claims().build());

      assertThatThrownBy(() -> auth.authenticate(header))
          .isInstanceOf(AuthenticationUnavailableException.class)
          .hasMessageContaining("could not be read");
      issuer.discoveryStatus = 200;
      clock.now = clock.now.plus(Duration.ofSeconds(9));
      assertThatThrownBy(() -> auth.authenticate(header))
          .isInstanceOf(AuthenticationUnavailableException.class)
          .hasMessageContaining("could not be read");
      assertThat(issuer.discoveryRequests).hasValue(1);

      clock.now = clock.now.plus(Duration.ofSeconds(2));
      assertThat(auth.authenticate(header).user()).isEqualTo("alice");
      assertThat(issuer.discoveryRequests).hasValue(2);
    }
  }
}
