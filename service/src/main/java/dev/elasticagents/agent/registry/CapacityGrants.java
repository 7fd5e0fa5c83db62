package dev.elasticagents.agent.registry;

import dev.elasticagents.agent.CapacityGrant;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The {@code capacity_grants} table: approved overrides, each used by at most one agent. */
final class CapacityGrants {

  /** An unused grant, as create-agent finds it. */
  record Unused(String grantId, int maxRunningAgents) {}

  private final JdbcClient jdbc;

  CapacityGrants(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Records a grant; false when this approval granted it already. */
  boolean grant(CapacityGrant grant, Instant now) {
    return jdbc.sql(
                """
                insert into capacity_grants (grant_id, job_key, cluster_profile_id, profile_key,
                                             max_running_agents, granted_at)
                select ?, ?, ?, ?, ?, ? where not exists (select 1 from capacity_grants where grant_id = ?)
                """)
            .params(
                grant.grantId(),
                String.valueOf(grant.jobId()),
                grant.clusterProfileId(),
                grant.profileKey(),
                grant.maxRunningAgents(),
                AgentRows.timestamp(now),
                grant.grantId())
            .update()
        == 1;
  }

  Optional<Unused> unused(String jobKey, String clusterProfileId, String profileKey) {
    return jdbc
        .sql(
            """
            select grant_id, max_running_agents from capacity_grants
            where job_key = ? and cluster_profile_id = ? and profile_key = ? and used_by is null
            order by granted_at, grant_id
            """)
        .params(jobKey, clusterProfileId, profileKey)
        .query(
            (row, number) ->
                new Unused(row.getString("grant_id"), row.getInt("max_running_agents")))
        .list()
        .stream()
        .findFirst();
  }

  /** Uses a grant for an agent; false when someone used it first. */
  boolean use(String grantId, String agentId, Instant now) {
    return jdbc.sql(
                "update capacity_grants set used_by = ?, used_at = ? where grant_id = ? and used_by"
                    + " is null")
            .params(agentId, AgentRows.timestamp(now), grantId)
            .update()
        == 1;
  }

  /**
   * Frees the grant an agent used; called for a reservation that never launched, which ran nothing
   * on it, so the redelivered decision may use it again.
   */
  void freeUnlaunched(String agentId) {
    jdbc.sql(
            """
            update capacity_grants set used_by = null, used_at = null where used_by = ?
            """)
        .param(agentId)
        .update();
  }
}
