package dev.elasticagents.agent.registry;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.JobIdentifier;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.Optional;

/** How agents and times map to the registry's rows, on PostgreSQL and H2 alike. */
final class AgentRows {

  /**
   * The states of live agents, as an SQL list: conditions name them rather than "not terminated",
   * so that the index on cluster profile and state reads the live agents only, however many
   * terminated ones the table keeps.
   */
  static final String LIVE_STATES = "('PENDING', 'BUSY', 'IDLE', 'TERMINATING')";

  static final String COLUMNS =
      "id, cluster_profile_id, profile_key, environment, state, version, owner, reusable, "
          + "idle_timeout_seconds, auto_register_timeout_seconds, max_build_seconds, created_at, "
          + "registered_at, idle_since, job_key, assignment, assigned_at, launched_at, claimed_by, "
          + "terminating_since";

  private AgentRows() {}

  static Agent agent(ResultSet row, int number) throws SQLException {
    return new Agent(
        row.getString("id"),
        row.getString("cluster_profile_id"),
        row.getString("profile_key"),
        row.getString("environment"),
        AgentState.valueOf(row.getString("state")),
        row.getLong("version"),
        row.getString("owner"),
        row.getBoolean("reusable"),
        Duration.ofSeconds(row.getLong("idle_timeout_seconds")),
        Duration.ofSeconds(row.getLong("auto_register_timeout_seconds")),
        Duration.ofSeconds(row.getLong("max_build_seconds")),
        instant(row, "created_at").orElseThrow(),
        instant(row, "registered_at"),
        instant(row, "idle_since"),
        Optional.ofNullable(row.getString("job_key")),
        Optional.ofNullable(row.getString("assignment")),
        instant(row, "assigned_at"),
        instant(row, "launched_at"),
        Optional.ofNullable(row.getString("claimed_by")),
        instant(row, "terminating_since"));
  }

  /** The registry's key of a GoCD job: its job id, unique per run of a job. */
  static String jobKey(JobIdentifier job) {
    return String.valueOf(job.jobId());
  }

  static Timestamp timestamp(Instant instant) {
    return Timestamp.from(instant);
  }

  static Optional<Instant> instant(ResultSet row, String column) throws SQLException {
    return Optional.ofNullable(row.getObject(column, OffsetDateTime.class))
        .map(time -> time.withOffsetSameInstant(ZoneOffset.UTC).toInstant());
  }

  /**
   * The {@code values} list of a multi-row insert of {@code count} rows: one statement, so one
   * round trip to the database, whatever the number of rows.
   */
  static String rows(int count, String row) {
    if (count < 1) {
      throw new IllegalArgumentException("An insert needs at least one row");
    }
    return String.join(", ", Collections.nCopies(count, row));
  }

  static String abbreviate(String text, int length) {
    return text.length() <= length ? text : text.substring(0, length - 3) + "...";
  }
}
