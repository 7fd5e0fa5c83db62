package dev.elasticagents.agent.lifecycle;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.ReleaseOutcome;
import dev.elasticagents.agent.ReleaseRequest;
import dev.elasticagents.agent.Termination;
import dev.elasticagents.agent.TerminationKind;
import java.util.Optional;

/**
 * What releasing an agent comes to, judged from one read of the agent: keep it, terminate it, or
 * skip it with the reason. The move is then tried as a compare-and-set on that read.
 *
 * @param decision what job-completion reports in {@code completion_decision}
 * @param code a short reason for metrics
 * @param terminationKind the kind of a verdict that terminates; empty for the others
 */
record Verdict(
    ReleaseOutcome decision,
    Move move,
    String reason,
    String code,
    Optional<TerminationKind> terminationKind) {

  /** The registry move the verdict needs. */
  enum Move {
    NONE,
    KEEP_IDLE,
    TERMINATE
  }

  static Verdict of(Optional<Agent> found, ReleaseRequest release) {
    if (found.isEmpty()) {
      return skip("unknown agent", "unknown");
    }
    Agent agent = found.get();
    if (!agent.state().isAvailable()) {
      return skip("agent already terminated", "terminated");
    }
    if (release.assignment().isPresent() && !agent.assignment().equals(release.assignment())) {
      return skip(
          agent
              .jobKey()
              .map(job -> "agent now serves GoCD job " + job)
              .orElse("agent now serves another job"),
          "other-job");
    }
    Optional<String> completed = release.completedJobId().map(String::valueOf);
    if (completed.isPresent() && agent.jobKey().isPresent() && !agent.jobKey().equals(completed)) {
      return skip(
          "agent serves GoCD job %s, not the completed job %s"
              .formatted(agent.jobKey().get(), completed.get()),
          "other-job");
    }
    if (agent.state() == AgentState.IDLE) {
      return new Verdict(
          ReleaseOutcome.KEPT, Move.NONE, "agent already idle", "idle", Optional.empty());
    }
    if (release.cause() == ReleaseRequest.Cause.BUILD_OVERRAN) {
      return terminate(
          TerminationKind.BUILD_OVERRAN,
          "its job ran longer than the maximum build duration of " + agent.maxBuildDuration());
    }
    if (agent.reusable() && agent.idleTimeout().isPositive()) {
      return new Verdict(
          ReleaseOutcome.KEPT,
          Move.KEEP_IDLE,
          "kept for reuse for up to " + agent.idleTimeout(),
          "kept",
          Optional.empty());
    }
    return terminate(
        TerminationKind.JOB_COMPLETED,
        "job completed and "
            + (agent.reusable()
                ? "its profile has no idle timeout"
                : "its profile does not reuse agents"));
  }

  private static Verdict skip(String reason, String code) {
    return new Verdict(ReleaseOutcome.SKIPPED, Move.NONE, reason, code, Optional.empty());
  }

  private static Verdict terminate(TerminationKind kind, String reason) {
    return new Verdict(
        ReleaseOutcome.TERMINATED, Move.TERMINATE, reason, "terminated", Optional.of(kind));
  }

  /**
   * The termination of a verdict that terminates the agent.
   *
   * @throws java.util.NoSuchElementException for a verdict that keeps or skips it
   */
  Termination termination() {
    return new Termination(terminationKind.orElseThrow(), reason);
  }
}
