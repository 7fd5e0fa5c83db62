package dev.elasticagents.agent;

/** Where an agent is in its lifecycle. Every state but {@code TERMINATED} counts as running. */
public enum AgentState {
  /** Launched for a job, not yet seen registered with the GoCD server. */
  PENDING,
  /** Registered and running a job. */
  BUSY,
  /** Kept after its job for another job of the same profile. */
  IDLE,
  /** Being disabled, terminated and deleted. */
  TERMINATING,
  /** Gone. */
  TERMINATED
}
