package dev.elasticagents.agent.registry;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.ClusterProfile;
import dev.elasticagents.agent.JobIdentifier;
import java.time.Instant;
import java.util.Optional;

/**
 * GoCD's should-assign-work, decided while the cluster profile's row is locked, like every
 * allocation: an agent given a job here cannot be given it twice, nor can a create-agent decision
 * give the job a second agent meanwhile.
 */
final class WorkAssignment {

  private final Allocation allocation;
  private final AgentTransitions transitions;

  WorkAssignment(Allocation allocation, AgentTransitions transitions) {
    this.allocation = allocation;
    this.transitions = transitions;
  }

  /**
   * Answers GoCD's should-assign-work: true for the agent the job was given, or for an idle
   * reusable agent of the job's cluster and agent profile while the job has no live agent, which is
   * then given the job here, in the caller's transaction, under the cluster profile's lock. Never
   * true for an agent that is terminating or terminated.
   */
  boolean assignWork(
      String agentId,
      JobIdentifier job,
      ClusterProfile cluster,
      AgentProfile profile,
      Instant now) {
    String jobKey = AgentRows.jobKey(job);
    Optional<Agent> agent = transitions.find(agentId);
    if (agent.isEmpty()) {
      return false;
    }
    Agent candidate = agent.get();
    if (candidate.jobKey().equals(Optional.of(jobKey))) {
      return candidate.state() == AgentState.PENDING || candidate.state() == AgentState.BUSY;
    }
    if (candidate.state() != AgentState.IDLE
        || !candidate.reusable()
        || !candidate.clusterProfileId().equals(cluster.id())
        || !candidate.profileKey().equals(profile.key())
        || allocation.liveAgentOf(jobKey).isPresent()) {
      return false;
    }
    if (!transitions.reuse(
        agentId,
        candidate.version(),
        Optional.of(jobKey),
        Allocation.ASSIGNED_BY_GOCD + jobKey,
        cluster.maxBuildDuration(),
        now)) {
      return false;
    }
    allocation.bind(job, agentId, now);
    return true;
  }
}
