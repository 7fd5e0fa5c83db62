package dev.elasticagents.agent;

/**
 * What a create-agent decision came to. Its {@link #name()} is the value of {@code agent_decision},
 * on which the lifecycle model routes, and of the registry's {@code outcome} column.
 */
public enum DecisionOutcome implements RecordedDecision.Outcome {
  /** A new agent was reserved for the job, to be launched. */
  CREATED,
  /** An idle agent of the same profile was given the job. */
  REUSED,
  /** The GoCD job already has a live agent. */
  ALREADY_CREATED,
  /** No agent now. */
  DECLINED;

  /** The value of the {@code decision} tag of {@code elastic_agents_decisions_total}. */
  public String metricName() {
    return name().toLowerCase().replace('_', '-');
  }
}
