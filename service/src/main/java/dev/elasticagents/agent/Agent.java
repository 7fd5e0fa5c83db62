package dev.elasticagents.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * An elastic agent as the registry knows it, read at one moment: {@link #version()} lets a move
 * decided on this read be refused if the agent changed since.
 *
 * @param owner the provider scope that launched the agent and alone judges whether it runs
 * @param jobKey the GoCD job the agent serves now; empty when idle or for requests without job
 * @param assignment the create-agent decision that gave the agent its current job
 * @param launchedAt when the provider started it; empty while it is only reserved
 * @param claimedBy the owner scope of whoever claimed its termination
 */
public record Agent(
    String id,
    String clusterProfileId,
    String profileKey,
    String environment,
    AgentState state,
    long version,
    String owner,
    boolean reusable,
    Duration idleTimeout,
    Duration autoRegisterTimeout,
    Duration maxBuildDuration,
    Instant createdAt,
    Optional<Instant> registeredAt,
    Optional<Instant> idleSince,
    Optional<String> jobKey,
    Optional<String> assignment,
    Optional<Instant> assignedAt,
    Optional<Instant> launchedAt,
    Optional<String> claimedBy,
    Optional<Instant> terminatingSince) {

  /**
   * How long past its maximum build duration a busy agent may run before cleanup terminates it: its
   * lifecycle's own timer comes first, cleanup catches a lifecycle that was cancelled.
   */
  public static final Duration OVERRUN_GRACE = Duration.ofMinutes(15);

  /** Why cleanup terminates this agent at {@code now} for a timeout, if it should. */
  public Optional<Termination> timeoutTermination(Instant now) {
    return switch (state) {
      case PENDING ->
          registeredAt.isEmpty() && !Deadlines.after(createdAt, autoRegisterTimeout).isAfter(now)
              ? Optional.of(
                  new Termination(
                      TerminationKind.NEVER_REGISTERED,
                      "never registered within " + autoRegisterTimeout))
              : Optional.empty();
      case IDLE ->
          idleSince.filter(since -> !Deadlines.after(since, idleTimeout).isAfter(now)).isPresent()
              ? Optional.of(
                  new Termination(TerminationKind.IDLE_TIMEOUT, "idle longer than " + idleTimeout))
              : Optional.empty();
      case BUSY ->
          assignedAt
                  .filter(
                      since ->
                          !Deadlines.after(Deadlines.after(since, maxBuildDuration), OVERRUN_GRACE)
                              .isAfter(now))
                  .isPresent()
              ? Optional.of(
                  new Termination(
                      TerminationKind.BUILD_OVERRAN,
                      "busy longer than its maximum build duration of " + maxBuildDuration))
              : Optional.empty();
      case TERMINATING, TERMINATED -> Optional.empty();
    };
  }

  /** Whether the provider was asked to start it; a reservation alone runs nothing. */
  public boolean isLaunched() {
    return launchedAt.isPresent();
  }
}
