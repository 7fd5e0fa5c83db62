package dev.elasticagents.agent;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** What a create-agent request came to; {@link #variables()} lets the model route on it. */
public sealed interface AgentDecision {

  /** A new agent was launched for the job. */
  record Created(String agentId) implements AgentDecision {}

  /** An idle agent of the same profile was given the job. */
  record Reused(String agentId) implements AgentDecision {}

  /** The job already has a live agent: a re-sent request gets the same one. */
  record AlreadyCreated(String agentId) implements AgentDecision {}

  /** No agent now; the GoCD server asks again for a job that stays unassigned. */
  record Declined(String reason, Duration retryAfter) implements AgentDecision {}

  /** The agent the request got; empty for a decline. */
  default Optional<String> assignedAgent() {
    return switch (this) {
      case Created created -> Optional.of(created.agentId());
      case Reused reused -> Optional.of(reused.agentId());
      case AlreadyCreated existing -> Optional.of(existing.agentId());
      case Declined declined -> Optional.empty();
    };
  }

  /** The process variables that carry the decision. */
  default Map<String, Object> variables() {
    return switch (this) {
      case Created created -> Map.of("agent_decision", "CREATED", "elastic_agent_id", created.agentId());
      case Reused reused -> Map.of("agent_decision", "REUSED", "elastic_agent_id", reused.agentId());
      case AlreadyCreated existing ->
          Map.of("agent_decision", "ALREADY_CREATED", "elastic_agent_id", existing.agentId());
      case Declined declined ->
          Map.of(
              "agent_decision", "DECLINED",
              "decline_reason", declined.reason(),
              "retry_after", declined.retryAfter().toString());
    };
  }
}
