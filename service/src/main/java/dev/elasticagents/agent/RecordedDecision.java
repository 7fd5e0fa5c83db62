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
    String outcome,
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
      String outcome,
      Optional<String> agentId,
      Optional<String> jobKey,
      Map<String, Object> variables) {
    return new RecordedDecision(outcome, agentId, jobKey, variables, false);
  }
}
