package dev.elasticagents.agent;

/**
 * What releasing the agent of a completed or overrun job came to. Its {@link #name()} is the value
 * of {@code completion_decision}.
 */
public enum ReleaseOutcome implements RecordedDecision.Outcome {
  /** The agent stays, idle, for another job of its profile. */
  KEPT,
  /** The agent is terminated. */
  TERMINATED,
  /** The agent no longer serves the job, or is gone: nothing to release. */
  SKIPPED
}
