package dev.elasticagents.approval;

import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.agent.CapacityGrant;
import dev.elasticagents.agent.registry.AgentRegistry;
import org.springframework.stereotype.Component;

/**
 * Capacity as the durable agent registry counts it (idle and starting agents included), and
 * approved overrides recorded there as capacity grants.
 */
@Component
class RegistryAgentCapacity implements AgentCapacity, CapacityOverrides {

  private final AgentRegistry registry;

  RegistryAgentCapacity(AgentRegistry registry) {
    this.registry = registry;
  }

  @Override
  public int runningAgents(String clusterProfileId) {
    return registry.runningAgents(clusterProfileId);
  }

  @Override
  public void grant(String approvalId, ApprovalRequest request, int maxRunningAgents) {
    // Reuse does not change which agents are interchangeable: any default gives the same key.
    String profileKey =
        AgentProfile.from(request.environment(), request.profileProperties(), true).key();
    registry.grantCapacity(
        new CapacityGrant(
            approvalId,
            request
                .jobId()
                .orElseThrow(() -> new IllegalArgumentException("an override needs a GoCD job")),
            request.clusterProfileId(),
            profileKey,
            maxRunningAgents));
  }
}
