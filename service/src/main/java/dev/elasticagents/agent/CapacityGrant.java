package dev.elasticagents.agent;

import java.util.Objects;

/**
 * A capacity override a person approved: one agent for one GoCD job, of one profile in one cluster
 * profile, even while the cluster profile runs its usual maximum, as long as it runs fewer than
 * {@code maxRunningAgents}. Create-agent checks it again when it creates the agent, and uses it
 * once.
 *
 * @param grantId the approval that granted it (its user task), so that a redelivered approval
 *     grants nothing twice
 */
public record CapacityGrant(
    String grantId, long jobId, String clusterProfileId, String profileKey, int maxRunningAgents) {

  public CapacityGrant {
    Objects.requireNonNull(grantId, "grantId");
    Objects.requireNonNull(clusterProfileId, "clusterProfileId");
    Objects.requireNonNull(profileKey, "profileKey");
    if (maxRunningAgents < 0) {
      throw new IllegalArgumentException(
          "maxRunningAgents must not be negative: " + maxRunningAgents);
    }
  }
}
