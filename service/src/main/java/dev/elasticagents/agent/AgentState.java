package dev.elasticagents.agent;

/**
 * Where an agent is in its lifecycle. Every state but {@code TERMINATED} counts against capacity.
 *
 * <pre>
 *  PENDING ──register──▶ BUSY ◀──reuse── IDLE
 *     │                   │  └──keep idle──▶ ▲
 *     └──────keep idle────┼──────────────────┘
 *  PENDING, BUSY, IDLE ──claim termination──▶ TERMINATING ──finish──▶ TERMINATED
 * </pre>
 *
 * The moves are the {@link AgentTransition}s; nothing else changes an agent's state.
 */
public enum AgentState {
  /** Reserved for a job and launched (or about to be), not yet seen registered with GoCD. */
  PENDING,
  /** Registered and serving a job. */
  BUSY,
  /** Kept after its job for another job of the same profile. */
  IDLE,
  /** Claimed for termination: only the claimer disables, terminates and deletes it. */
  TERMINATING,
  /** Gone. */
  TERMINATED;

  /** Whether the agent counts against its cluster profile's capacity. */
  public boolean isLive() {
    return this != TERMINATED;
  }

  /** Whether the agent may still be given a job or released: it is not being terminated. */
  public boolean isAvailable() {
    return this == PENDING || this == BUSY || this == IDLE;
  }
}
