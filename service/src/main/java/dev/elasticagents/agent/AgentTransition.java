package dev.elasticagents.agent;

import static dev.elasticagents.agent.AgentState.BUSY;
import static dev.elasticagents.agent.AgentState.IDLE;
import static dev.elasticagents.agent.AgentState.PENDING;
import static dev.elasticagents.agent.AgentState.TERMINATED;
import static dev.elasticagents.agent.AgentState.TERMINATING;

import java.util.EnumSet;
import java.util.Set;

/**
 * The moves an agent can make. The registry carries each out as one compare-and-set on the agent's
 * id, state and version, so a move decided on a stale read of the agent is refused rather than
 * undoing what happened in between.
 */
public enum AgentTransition {
  /** The GoCD server knows the agent: it registered. */
  REGISTER(EnumSet.of(PENDING), BUSY),
  /** Its job finished, and the agent is kept for another job of its profile. */
  KEEP_IDLE(EnumSet.of(PENDING, BUSY), IDLE),
  /** An idle agent is given another job. */
  REUSE(EnumSet.of(IDLE), BUSY),
  /** Someone starts terminating the agent; from now on no request can take it. */
  CLAIM_TERMINATION(EnumSet.of(PENDING, BUSY, IDLE), TERMINATING),
  /** A termination whose claimer cannot finish it (gone, or not the owner) changes hands. */
  TAKE_OVER_TERMINATION(EnumSet.of(TERMINATING), TERMINATING),
  /** The claimer disabled, terminated and deleted the agent. */
  FINISH_TERMINATION(EnumSet.of(TERMINATING), TERMINATED);

  private final Set<AgentState> from;
  private final AgentState to;

  AgentTransition(Set<AgentState> from, AgentState to) {
    this.from = from;
    this.to = to;
  }

  /** Whether an agent in {@code state} can make this move. */
  public boolean allowsFrom(AgentState state) {
    return from.contains(state);
  }

  /** The state the move leads to. */
  public AgentState to() {
    return to;
  }

  /** The metric and log name of the move. */
  public String metricName() {
    return name().toLowerCase().replace('_', '-');
  }
}
