package dev.elasticagents.agent;

/**
 * The identity under which a job's decision is recorded: its job type and element instance. Zeebe
 * redelivers a job (after a failure, a timeout or a resolved incident) for the same element
 * instance, so a redelivery finds the decision of the first delivery and replays it.
 */
public record DecisionKey(String jobType, long elementInstanceKey) {

  /** The key as stored, and as handed to the model in {@code agent_assignment}. */
  public String value() {
    return jobType + ":" + elementInstanceKey;
  }

  @Override
  public String toString() {
    return value();
  }
}
