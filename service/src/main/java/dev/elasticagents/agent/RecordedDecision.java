package dev.elasticagents.agent;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A decision as the registry recorded it: what it came to, the agent it concerns, and the variables
 * its job completes with. A redelivered job completes with exactly these variables.
 *
 * @param replayed whether this is the decision of an earlier delivery of the same job
 */
public record RecordedDecision(
    RecordedDecision.Outcome outcome,
    Optional<String> agentId,
    Optional<String> jobKey,
    Map<String, Object> variables,
    boolean replayed) {

  public RecordedDecision {
    Objects.requireNonNull(outcome, "outcome");
    // Variables may hold nulls: a completion sets auto_register_key to null.
    variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
  }

  /** A decision just taken. */
  public static RecordedDecision fresh(
      Outcome outcome,
      Optional<String> agentId,
      Optional<String> jobKey,
      Map<String, Object> variables) {
    return new RecordedDecision(outcome, agentId, jobKey, variables, false);
  }

  /**
   * The outcome of a create-agent decision.
   *
   * @throws IllegalStateException for a decision of another job type
   */
  public DecisionOutcome createAgentOutcome() {
    if (outcome instanceof DecisionOutcome created) {
      return created;
    }
    throw new IllegalStateException("Not a create-agent decision: " + outcome);
  }

  /**
   * What a decision came to, one enum per kind of job that decides, so that each is compared and
   * switched on as a type, never as text. The names of all of them differ: the registry stores
   * {@link #name()} and reads it back.
   */
  public sealed interface Outcome permits DecisionOutcome, ReleaseOutcome, CleanupOutcome {

    /** The outcome as the registry stores it and the process variables carry it. */
    String name();
  }
}
