package dev.elasticagents.agent;

import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * GoCD's should-assign-work, decided while the cluster profile's row is locked, like every
 * allocation: an agent given a job here cannot be given it twice, nor can a create-agent decision
 * give the job a second agent meanwhile.
 */
final class WorkAssignment {

  private final JdbcClient jdbc;
  private final Allocation allocation;
  private final AgentTransitions transitions;

  WorkAssignment(JdbcClient jdbc, Allocation allocation, AgentTransitions transitions) {
    this.jdbc = jdbc;
    this.allocation = allocation;
    this.transitions = transitions;
  }

  /**
   * Answers GoCD's should-assign-work: true for the agent the job was given, or for an idle
   * reusable agent of the job's cluster and agent profile while the job has no live agent, which
   * is then given the job here, in the caller's transaction, under the cluster profile's lock.
   * Never true for an agent that is terminating or terminated.
   */
  boolean assignWork(String agentId, JobIdentifier job, ClusterProfile cluster, AgentProfile profile, Instant now) {
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
    int updated =
        jdbc.sql(
                """
                update agents set state = 'BUSY', version = version + 1, idle_since = null,
                                  job_key = ?, assignment = ?, assigned_at = ?, max_build_seconds = ?
                where id = ? and state = 'IDLE' and version = ?
                """)
            .params(
                jobKey,
                Allocation.ASSIGNED_BY_GOCD + jobKey,
                AgentRows.timestamp(now),
                cluster.maxBuildDuration().toSeconds(),
                agentId,
                candidate.version())
            .update();
    if (updated == 0) {
      transitions.refused(AgentTransition.REUSE);
      return false;
    }
    allocation.bind(job, agentId, now);
    return true;
  }
}
