package dev.elasticagents.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** An elastic agent as the registry knows it. */
public record Agent(
    String id,
    String clusterProfileId,
    String profileKey,
    String environment,
    AgentState state,
    boolean reusable,
    Duration idleTimeout,
    Duration autoRegisterTimeout,
    Instant createdAt,
    Optional<Instant> registeredAt,
    Optional<Instant> idleSince) {

  /** Why cleanup terminates this agent at {@code now}, if it should. */
  public Optional<String> cleanupReason(Instant now) {
    return switch (state) {
      case PENDING ->
          registeredAt.isEmpty() && !createdAt.plus(autoRegisterTimeout).isAfter(now)
              ? Optional.of("never registered within " + autoRegisterTimeout)
              : Optional.empty();
      case IDLE ->
          idleSince.filter(since -> !since.plus(idleTimeout).isAfter(now)).isPresent()
              ? Optional.of("idle longer than " + idleTimeout)
              : Optional.empty();
      case TERMINATING -> Optional.of("termination did not finish");
      case BUSY, TERMINATED -> Optional.empty();
    };
  }
}
