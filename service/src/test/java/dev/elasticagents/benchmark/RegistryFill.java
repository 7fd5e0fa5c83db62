package dev.elasticagents.benchmark;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Fills the service's registry, straight over JDBC, with the agents a long-running service keeps:
 * terminated ones (the registry never deletes an agent) and live ones serving jobs, all of one
 * cluster profile, so that the benchmark can show whether a create-agent decision costs more as the
 * table grows. The rows are written as the registry writes them ({@code Allocation.insert}, the
 * terminate transitions): live agents BUSY and registered, so that they count as running but not
 * starting; terminated ones with their time and reason. Each agent has its create-agent decision,
 * and each live one the GoCD job it serves. The agent profile (its key, environment and timeouts)
 * is copied from an agent the benchmark created, so the filled agents are of the profile the
 * requests ask for.
 *
 * <p>The live agents are owned by another provider scope ({@link #OWNER}): cleanup and
 * reconciliation judge only their own instance's agents, and the fixture provider runs none of
 * these, so nothing of the service touches them while it is measured.
 *
 * @param url the JDBC URL of the service's registry (user {@code postgres})
 * @param clusterProfile the cluster profile the agents are of
 * @param terminated how many TERMINATED agents to add
 * @param live how many live (BUSY) agents to add
 */
record RegistryFill(String url, String clusterProfile, int terminated, int live) {

  /** The owner scope of the filled agents: another service instance's. */
  static final String OWNER = "benchmark-other-instance";

  // GoCD job ids and element instance keys far above any the benchmark's loops give.
  private static final long JOB_IDS = 2_000_000_000L;
  private static final long ELEMENT_INSTANCE_KEYS = 4_000_000_000_000_000L;

  /**
   * How many agents the registry held, and of them the filled profile, before and after the fill.
   *
   * @param agentsBefore every agent in the table before the fill, of any cluster profile and state
   * @param liveBefore the live ones (neither terminating nor terminated) among them
   * @param agentsAfter every agent in the table after the fill
   * @param profileTerminated the TERMINATED agents of the filled cluster profile after the fill
   * @param profileLive the live agents of the filled cluster profile after the fill
   */
  record Counts(
      long agentsBefore,
      long liveBefore,
      long agentsAfter,
      long profileTerminated,
      long profileLive) {}

  /**
   * Adds the agents in one transaction and counts the table around it.
   *
   * @param templateProfile a cluster profile with an agent of the agent profile to copy
   */
  Counts fill(String templateProfile) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url, "postgres", "")) {
      connection.setAutoCommit(false);
      long agentsBefore = count(connection, "select count(*) from agents");
      long liveBefore =
          count(
              connection, "select count(*) from agents where state in ('PENDING', 'BUSY', 'IDLE')");
      update(
          connection,
          "insert into cluster_profiles (id) values (?) on conflict do nothing",
          clusterProfile);
      insertAgents(connection, templateProfile);
      insertJobsAndDecisions(connection);
      connection.commit();
      return new Counts(
          agentsBefore,
          liveBefore,
          count(connection, "select count(*) from agents"),
          countOfProfile(connection, "state = 'TERMINATED'"),
          countOfProfile(connection, "state in ('PENDING', 'BUSY', 'IDLE')"));
    }
  }

  /** The live agents of the filled cluster profile now: those filled and those created since. */
  long liveAgents() throws SQLException {
    try (Connection connection = DriverManager.getConnection(url, "postgres", "")) {
      return countOfProfile(connection, "state in ('PENDING', 'BUSY', 'IDLE')");
    }
  }

  private void insertAgents(Connection connection, String templateProfile) throws SQLException {
    // Terminated a while ago after an idle spell: launched, registered, claimed and terminated.
    int inserted =
        update(
            connection,
            """
            insert into agents (id, cluster_profile_id, profile_key, environment, state, version, owner,
                                reusable, idle_timeout_seconds, auto_register_timeout_seconds,
                                max_build_seconds, created_at, launched_at, registered_at,
                                idle_since, claimed_by, terminating_since, terminated_at,
                                termination_reason)
            select 'fill-terminated-' || n, ?, t.profile_key, t.environment, 'TERMINATED', 5, ?,
                   t.reusable, t.idle_timeout_seconds, t.auto_register_timeout_seconds,
                   t.max_build_seconds, now() - interval '2 days', now() - interval '2 days',
                   now() - interval '2 days' + interval '20 seconds', now() - interval '1 day',
                   ?, now() - interval '1 day' + interval '10 minutes',
                   now() - interval '1 day' + interval '10 minutes',
                   'idle for longer than its idle timeout'
            from generate_series(1, ?) n,
                 (select * from agents where cluster_profile_id = ? limit 1) t
            """,
            clusterProfile,
            OWNER,
            OWNER,
            terminated,
            templateProfile);
    // Live: launched, registered and busy with the job of their decision.
    inserted +=
        update(
            connection,
            """
            insert into agents (id, cluster_profile_id, profile_key, environment, state, version, owner,
                                reusable, idle_timeout_seconds, auto_register_timeout_seconds,
                                max_build_seconds, created_at, launched_at, registered_at,
                                job_key, assignment, assigned_at)
            select 'fill-live-' || n, ?, t.profile_key, t.environment, 'BUSY', 2, ?,
                   t.reusable, t.idle_timeout_seconds, t.auto_register_timeout_seconds,
                   t.max_build_seconds, now() - interval '10 minutes', now() - interval '10 minutes',
                   now() - interval '9 minutes', (? + n)::text, 'create-agent:' || (? + n),
                   now() - interval '10 minutes'
            from generate_series(1, ?) n,
                 (select * from agents where cluster_profile_id = ? limit 1) t
            """,
            clusterProfile,
            OWNER,
            JOB_IDS,
            ELEMENT_INSTANCE_KEYS,
            live,
            templateProfile);
    if (inserted != terminated + live) {
      throw new IllegalStateException(
          "Cluster profile '%s' has no agent to copy its agent profile from"
              .formatted(templateProfile));
    }
  }

  private void insertJobsAndDecisions(Connection connection) throws SQLException {
    update(
        connection,
        """
        insert into agent_requests (job_key, job_locator, agent_id, requested_at)
        select (? + n)::text, 'elastic-agent-workers/' || (? + n) || '/build/1/verify/1/integration_tests',
               'fill-live-' || n, now() - interval '10 minutes'
        from generate_series(1, ?) n
        """,
        JOB_IDS,
        JOB_IDS,
        live);
    update(
        connection,
        """
        insert into decisions (decision_key, outcome, agent_id, job_key, variables, decided_at)
        select 'create-agent:' || (? + n), 'CREATED', 'fill-live-' || n, (? + n)::text, '{}',
               now() - interval '10 minutes'
        from generate_series(1, ?) n
        """,
        ELEMENT_INSTANCE_KEYS,
        JOB_IDS,
        live);
    // The terminated agents' jobs are long done; their decisions are kept until purged.
    update(
        connection,
        """
        insert into decisions (decision_key, outcome, agent_id, job_key, variables, decided_at)
        select 'create-agent:' || (? + ? + n), 'CREATED', 'fill-terminated-' || n,
               (? + ? + n)::text, '{}', now() - interval '2 days'
        from generate_series(1, ?) n
        """,
        ELEMENT_INSTANCE_KEYS,
        live,
        JOB_IDS,
        live,
        terminated);
  }

  private long countOfProfile(Connection connection, String condition) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "select count(*) from agents where cluster_profile_id = ? and " + condition)) {
      statement.setString(1, clusterProfile);
      try (ResultSet count = statement.executeQuery()) {
        count.next();
        return count.getLong(1);
      }
    }
  }

  private static long count(Connection connection, String query) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(query);
        ResultSet count = statement.executeQuery()) {
      count.next();
      return count.getLong(1);
    }
  }

  private static int update(Connection connection, String sql, Object... parameters)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int index = 0; index < parameters.length; index++) {
        statement.setObject(index + 1, parameters[index]);
      }
      return statement.executeUpdate();
    }
  }
}
