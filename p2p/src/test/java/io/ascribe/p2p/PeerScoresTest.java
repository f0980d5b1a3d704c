package io.ascribe.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.types.Address;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class PeerScoresTest {
  private static final Address PEER = Address.fromHex("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");

  @Test
  void misbehaviourAddsUpToABanThatExpires() {
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    Clock[] clock = {Clock.fixed(start, ZoneOffset.UTC)};
    PeerScores scores =
        new PeerScores(
            new Clock() {
              @Override
              public Instant instant() {
                return clock[0].instant();
              }

              @Override
              public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
              }

              @Override
              public Clock withZone(java.time.ZoneId zone) {
                return this;
              }
            },
            Duration.ofMinutes(10));

    assertThat(scores.penalise(PEER, Misbehaviour.FLOOD)).isFalse();
    assertThat(scores.penalise(PEER, Misbehaviour.MALFORMED_MESSAGE)).isFalse();
    assertThat(scores.penalty(PEER)).isEqualTo(60);
    assertThat(scores.isBanned(PEER)).isFalse();
    assertThat(scores.penalise(PEER, Misbehaviour.INVALID_SIGNATURE)).isTrue();
    assertThat(scores.isBanned(PEER)).isTrue();

    clock[0] = Clock.fixed(start.plus(Duration.ofMinutes(9)), ZoneOffset.UTC);
    assertThat(scores.isBanned(PEER)).isTrue();
    clock[0] = Clock.fixed(start.plus(Duration.ofMinutes(10)), ZoneOffset.UTC);
    assertThat(scores.isBanned(PEER)).isFalse();
    assertThat(scores.penalty(PEER)).isZero();
  }

  @Test
  void aWrongChainPeerIsBannedAtOnce() {
    PeerScores scores = new PeerScores(Clock.systemUTC(), Duration.ofMinutes(10));
    assertThat(scores.penalise(PEER, Misbehaviour.WRONG_CHAIN)).isTrue();
  }
}
