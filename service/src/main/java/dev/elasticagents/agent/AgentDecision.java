package dev.elasticagents.agent;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a create-agent request came to; {@link #variables()} lets the model route on it. Every
 * decision but a decline that will be retried clears {@code auto_register_key}: once an agent is
 * launched (or none will be), the single-use key has no business in the process any more.
 */
public sealed interface AgentDecision {

  /** The variable that carries the GoCD server's auto-register key. */
  String AUTO_REGISTER_KEY = "auto_register_key";

  /**
   * A new agent was reserved for the job, to be launched.
   *
   * @param assignment the decision that gave the agent its job; job-completion checks it
   * @param maxBuildDuration how long the job may run before its agent is terminated
   */
  record Created(String agentId, String assignment, Duration maxBuildDuration)
      implements AgentDecision {}

  /** An idle agent of the same profile was given the job. */
  record Reused(String agentId, String assignment, Duration maxBuildDuration)
      implements AgentDecision {}

  /** The GoCD job already has a live agent: a request from another lifecycle gets no second one. */
  record AlreadyCreated(String agentId) implements AgentDecision {}

  /**
   * No agent now.
   *
   * @param declines how many times this lifecycle was declined, this time included
   * @param willRetry whether the lifecycle asks again after {@code retryAfter}; when not, it ends
   *     and the GoCD server's next create-agent for a job that still waits starts a new one
   */
  record Declined(String reason, Duration retryAfter, int declines, boolean willRetry)
      implements AgentDecision {}

  /** The agent the request got; empty for a decline. */
  default Optional<String> assignedAgent() {
    return switch (this) {
      case Created created -> Optional.of(created.agentId());
      case Reused reused -> Optional.of(reused.agentId());
      case AlreadyCreated existing -> Optional.of(existing.agentId());
      case Declined declined -> Optional.empty();
    };
  }

  /** What the decision came to; its name is the value of {@code agent_decision}. */
  default DecisionOutcome outcome() {
    return switch (this) {
      case Created created -> DecisionOutcome.CREATED;
      case Reused reused -> DecisionOutcome.REUSED;
      case AlreadyCreated existing -> DecisionOutcome.ALREADY_CREATED;
      case Declined declined -> DecisionOutcome.DECLINED;
    };
  }

  /** The process variables that carry the decision. */
  default Map<String, Object> variables() {
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put("agent_decision", outcome().name());
    switch (this) {
      case Created created ->
          assigned(variables, created.agentId(), created.assignment(), created.maxBuildDuration());
      case Reused reused ->
          assigned(variables, reused.agentId(), reused.assignment(), reused.maxBuildDuration());
      case AlreadyCreated existing -> {
        variables.put("elastic_agent_id", existing.agentId());
        variables.put(AUTO_REGISTER_KEY, null);
      }
      case Declined declined -> {
        variables.put("decline_reason", declined.reason());
        variables.put("retry_after", declined.retryAfter().toString());
        variables.put("declines", declined.declines());
        variables.put("will_retry", declined.willRetry());
        if (!declined.willRetry()) {
          variables.put(AUTO_REGISTER_KEY, null);
        }
      }
    }
    return variables;
  }

  private static void assigned(
      Map<String, Object> variables, String agentId, String assignment, Duration maxBuildDuration) {
    variables.put("elastic_agent_id", agentId);
    variables.put("agent_assignment", assignment);
    variables.put("max_build_duration", maxBuildDuration.toString());
    variables.put(AUTO_REGISTER_KEY, null);
  }
}
