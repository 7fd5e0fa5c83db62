package dev.elasticagents.approval;

/** How many agents run in a cluster profile now, as the agent registry knows them. */
@FunctionalInterface
public interface AgentCapacity {

  /**
   * The agents running in a cluster profile.
   *
   * @param clusterProfileId the value of {@code cluster_profile_properties.id}, or {@code
   *     "default"} when a request has none
   */
  int runningAgents(String clusterProfileId);
}
