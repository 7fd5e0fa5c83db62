package dev.elasticagents.approval;

import dev.elasticagents.agent.AgentRegistry;
import org.springframework.stereotype.Component;

/** Running agents as the durable agent registry counts them: idle and starting ones included. */
@Component
class RegistryAgentCapacity implements AgentCapacity {

  private final AgentRegistry registry;

  RegistryAgentCapacity(AgentRegistry registry) {
    this.registry = registry;
  }

  @Override
  public int runningAgents(String clusterProfileId) {
    return registry.runningAgents(clusterProfileId);
  }
}
