package dev.elasticagents.agent;

import java.util.Objects;
import java.util.Optional;

/**
 * Why a lifecycle lets go of its agent: GoCD reported its job completed, or the job ran past its
 * maximum build duration.
 *
 * @param assignment the create-agent decision that gave this lifecycle the agent; the agent is
 *     released only while that assignment holds
 * @param completedJobId the id of the job GoCD reported completed; the agent must serve that job
 */
public record ReleaseRequest(
    String agentId, Optional<String> assignment, Optional<Long> completedJobId, Cause cause) {

  /** What ends the agent's job. */
  public enum Cause {
    JOB_COMPLETED,
    BUILD_OVERRAN
  }

  public ReleaseRequest {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(assignment, "assignment");
    Objects.requireNonNull(completedJobId, "completedJobId");
    Objects.requireNonNull(cause, "cause");
  }
}
