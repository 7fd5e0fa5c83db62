package dev.elasticagents.agent.registry;

import dev.elasticagents.agent.AgentDecision;
import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.agent.ClusterProfile;
import dev.elasticagents.agent.DecisionKey;
import dev.elasticagents.agent.JobIdentifier;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A create-agent request as the registry decides it.
 *
 * @param key the job that asks; a redelivery of it gets the decision recorded for it
 * @param owner the provider scope a new agent will belong to
 * @param declinesSoFar how often this lifecycle was declined before
 * @param declineRetries how often a lifecycle asks again after a decline before it ends
 */
public record Demand(
    DecisionKey key,
    Optional<JobIdentifier> job,
    ClusterProfile cluster,
    AgentProfile profile,
    String owner,
    int declinesSoFar,
    Duration retryAfter,
    int declineRetries,
    Supplier<String> newAgentId) {

  Optional<String> jobKey() {
    return job.map(AgentRows::jobKey);
  }

  AgentDecision.Declined decline(String reason) {
    int declines = declinesSoFar + 1;
    return new AgentDecision.Declined(reason, retryAfter, declines, declines <= declineRetries);
  }
}
