package dev.elasticagents.agent.registry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What GoCD's server-pings showed of the busy agents: since when GoCD has listed each one idle (or
 * not at all), and for which job its lost job-completion was repaired. These notes change no state
 * and no version: they are kept only while the agent is busy for the job they were made for, since
 * every move out of BUSY clears them.
 */
final class CompletionRepairs {

  private final JdbcClient jdbc;

  CompletionRepairs(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  List<BusyAgent> busyAgents() {
    return jdbc.sql(
            """
            select id, version, job_key, assignment, created_at, auto_register_timeout_seconds,
                   gocd_idle_since, repaired_job_key
            from agents where state = 'BUSY' and job_key is not null order by created_at, id
            """)
        .query(
            (row, number) ->
                new BusyAgent(
                    row.getString("id"),
                    row.getLong("version"),
                    row.getString("job_key"),
                    Optional.ofNullable(row.getString("assignment")),
                    AgentRows.instant(row, "created_at").orElseThrow(),
                    Duration.ofSeconds(row.getLong("auto_register_timeout_seconds")),
                    AgentRows.instant(row, "gocd_idle_since"),
                    row.getString("job_key").equals(row.getString("repaired_job_key"))))
        .list();
  }

  /** Notes that GoCD showed the agent idle, unless it changed since it was read. */
  boolean idleSince(BusyAgent agent, Instant now) {
    return jdbc.sql(
                """
                update agents set gocd_idle_since = ?
                where id = ? and version = ? and state = 'BUSY' and gocd_idle_since is null
                """)
            .params(AgentRows.timestamp(now), agent.id(), agent.version())
            .update()
        == 1;
  }

  /** Forgets that GoCD showed the agent idle: it builds. */
  void building(BusyAgent agent) {
    jdbc.sql(
            "update agents set gocd_idle_since = null where id = ? and gocd_idle_since is not null")
        .param(agent.id())
        .update();
  }

  /**
   * Marks the agent's job as repaired; false when it was, or the agent changed since it was read.
   */
  boolean repaired(BusyAgent agent) {
    return jdbc.sql(
                """
                update agents set repaired_job_key = job_key
                where id = ? and version = ? and state = 'BUSY' and job_key = ?
                  and (repaired_job_key is null or repaired_job_key <> job_key)
                """)
            .params(agent.id(), agent.version(), agent.jobKey())
            .update()
        == 1;
  }
}
