package dev.elasticagents.approval;

/**
 * Where an approved capacity override is recorded. Create-agent honours an override only as such a
 * record, checks its limit again when it creates the agent, and uses it once; no process variable
 * can lift a capacity limit.
 */
@FunctionalInterface
public interface CapacityOverrides {

  /**
   * Records that the request may get one agent beyond its cluster profile's usual maximum.
   *
   * @param approvalId the approval that grants it; recording it again changes nothing
   * @param maxRunningAgents the most agents the cluster profile may run with this override
   */
  void grant(String approvalId, ApprovalRequest request, int maxRunningAgents);
}
