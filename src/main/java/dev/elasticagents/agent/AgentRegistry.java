package dev.elasticagents.agent;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The durable registry of agents and of the GoCD jobs they serve. Decisions for one cluster
 * profile lock that profile's row, so concurrent requests from any number of service instances
 * sharing the database never exceed its capacity, and a job never gets two live agents.
 */
@Repository
public class AgentRegistry {

  private static final String AGENT_COLUMNS =
      "id, cluster_profile_id, profile_key, environment, state, reusable, idle_timeout_seconds, "
          + "auto_register_timeout_seconds, created_at, registered_at, idle_since";

  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;
  private final Clock clock;

  public AgentRegistry(JdbcClient jdbc, PlatformTransactionManager transactions, Clock clock) {
    this.jdbc = jdbc;
    this.transactions = new TransactionTemplate(transactions);
    this.clock = clock;
  }

  /**
   * Decides on an agent for a request: the job's live agent, an idle agent of the same profile,
   * a new agent (reserved here, launched by the caller), or a decline. An approved capacity
   * override lifts the cluster profile's running maximum for this request.
   */
  public AgentDecision decide(
      Optional<JobIdentifier> job,
      ClusterProfile cluster,
      AgentProfile profile,
      boolean capacityOverride,
      Duration retryAfter,
      Supplier<String> newAgentId) {
    ensureClusterProfile(cluster.id());
    Request request = new Request(job, cluster, profile, capacityOverride, retryAfter, newAgentId);
    try {
      return transactions.execute(tx -> decideLocked(request));
    } catch (DuplicateKeyException e) {
      // The same job was decided at the same time under another cluster profile's lock.
      return transactions.execute(tx -> decideLocked(request));
    }
  }

  private record Request(
      Optional<JobIdentifier> job,
      ClusterProfile cluster,
      AgentProfile profile,
      boolean capacityOverride,
      Duration retryAfter,
      Supplier<String> newAgentId) {}

  private AgentDecision decideLocked(Request request) {
    Optional<JobIdentifier> job = request.job();
    ClusterProfile cluster = request.cluster();
    AgentProfile profile = request.profile();
    Duration retryAfter = request.retryAfter();
    lockClusterProfile(cluster.id());
    Optional<String> existing = job.flatMap(this::liveAgentOf);
    if (existing.isPresent()) {
      return new AgentDecision.AlreadyCreated(existing.get());
    }
    Instant now = clock.instant();
    Optional<String> idle = profile.reusable() ? idleAgent(cluster.id(), profile.key()) : Optional.empty();
    if (idle.isPresent()) {
      jdbc.sql("update agents set state = 'BUSY', idle_since = null where id = ?")
          .param(idle.get())
          .update();
      job.ifPresent(identifier -> bind(identifier, idle.get(), now));
      return new AgentDecision.Reused(idle.get());
    }
    int running = count("cluster_profile_id = ? and state <> 'TERMINATED'", cluster.id());
    if (running >= cluster.maxRunningAgents() && !request.capacityOverride()) {
      return new AgentDecision.Declined(
          "cluster profile '%s' is at its maximum of %d running agents"
              .formatted(cluster.id(), cluster.maxRunningAgents()),
          retryAfter);
    }
    int starting =
        count(
            "cluster_profile_id = ? and profile_key = ? and state = 'PENDING' and registered_at is null",
            cluster.id(),
            profile.key());
    if (starting >= cluster.maxPendingAgents()) {
      return new AgentDecision.Declined(
          "enough idle agents: %d agents of this profile are starting and will take waiting jobs"
              .formatted(starting),
          retryAfter);
    }
    String agentId = request.newAgentId().get();
    jdbc.sql(
            """
            insert into agents (id, cluster_profile_id, profile_key, environment, state, reusable,
                                idle_timeout_seconds, auto_register_timeout_seconds, created_at)
            values (?, ?, ?, ?, 'PENDING', ?, ?, ?, ?)
            """)
        .params(
            agentId,
            cluster.id(),
            profile.key(),
            profile.environment(),
            profile.reusable(),
            cluster.idleTimeout().toSeconds(),
            cluster.autoRegisterTimeout().toSeconds(),
            timestamp(now))
        .update();
    job.ifPresent(identifier -> bind(identifier, agentId, now));
    return new AgentDecision.Created(agentId);
  }

  private void ensureClusterProfile(String id) {
    if (jdbc.sql("select count(*) from cluster_profiles where id = ?").param(id).query(Integer.class).single() == 0) {
      try {
        transactions.executeWithoutResult(
            tx -> jdbc.sql("insert into cluster_profiles (id) values (?)").param(id).update());
      } catch (DuplicateKeyException e) {
        // Another request created it at the same time: the row is there, which is all we need.
      }
    }
  }

  private void lockClusterProfile(String id) {
    jdbc.sql("select id from cluster_profiles where id = ? for update").param(id).query(String.class).single();
  }

  private Optional<String> liveAgentOf(JobIdentifier job) {
    return jdbc.sql(
            """
            select a.id from agent_requests r join agents a on a.id = r.agent_id
            where r.job_key = ? and a.state not in ('TERMINATING', 'TERMINATED')
            """)
        .param(jobKey(job))
        .query(String.class)
        .optional();
  }

  private Optional<String> idleAgent(String clusterProfileId, String profileKey) {
    return jdbc.sql(
            """
            select id from agents
            where cluster_profile_id = ? and profile_key = ? and state = 'IDLE'
            order by idle_since, id
            """)
        .params(clusterProfileId, profileKey)
        .query(String.class)
        .list()
        .stream()
        .findFirst();
  }

  private void bind(JobIdentifier job, String agentId, Instant now) {
    int updated =
        jdbc.sql("update agent_requests set agent_id = ?, requested_at = ? where job_key = ?")
            .params(agentId, timestamp(now), jobKey(job))
            .update();
    if (updated == 0) {
      jdbc.sql(
              "insert into agent_requests (job_key, job_locator, agent_id, requested_at) values (?, ?, ?, ?)")
          .params(jobKey(job), job.locator(), agentId, timestamp(now))
          .update();
    }
  }

  private int count(String where, Object... params) {
    return jdbc.sql("select count(*) from agents where " + where)
        .params(params)
        .query(Integer.class)
        .single();
  }

  /** The agent with this id, whatever its state. */
  public Optional<Agent> find(String agentId) {
    return jdbc.sql("select " + AGENT_COLUMNS + " from agents where id = ?")
        .param(agentId)
        .query(AgentRegistry::agent)
        .optional();
  }

  /** The agent serving a GoCD job, if the job has one (live or not). */
  public Optional<String> agentOf(JobIdentifier job) {
    return jdbc.sql("select agent_id from agent_requests where job_key = ?")
        .param(jobKey(job))
        .query(String.class)
        .optional();
  }

  /** Agents of a cluster profile that count against its capacity: all but terminated ones. */
  public int runningAgents(String clusterProfileId) {
    return count("cluster_profile_id = ? and state <> 'TERMINATED'", clusterProfileId);
  }

  /** Agents that are not terminated. */
  public List<Agent> live() {
    return jdbc.sql("select " + AGENT_COLUMNS + " from agents where state <> 'TERMINATED' order by created_at, id")
        .query(AgentRegistry::agent)
        .list();
  }

  /** Keeps a running agent for another job; false when it is no longer running. */
  public boolean keepIdle(String agentId) {
    Instant now = clock.instant();
    return jdbc.sql(
                """
                update agents set state = 'IDLE', idle_since = ?, registered_at = coalesce(registered_at, ?)
                where id = ? and state in ('PENDING', 'BUSY')
                """)
            .params(timestamp(now), timestamp(now), agentId)
            .update()
        == 1;
  }

  /** Records that the GoCD server knows these agents: they registered. */
  public void markRegistered(Collection<String> agentIds) {
    Timestamp now = timestamp(clock.instant());
    agentIds.forEach(
        id ->
            jdbc.sql(
                    """
                    update agents set registered_at = ?, state = case when state = 'PENDING' then 'BUSY' else state end
                    where id = ? and registered_at is null
                    """)
                .params(now, id)
                .update());
  }

  /**
   * Starts terminating a live agent, so that no request can take it any more; false when it is
   * already terminated or being terminated by someone else.
   */
  public boolean beginTermination(String agentId, String reason) {
    return jdbc.sql(
                """
                update agents set state = 'TERMINATING', termination_reason = ?
                where id = ? and state in ('PENDING', 'BUSY', 'IDLE')
                """)
            .params(abbreviate(reason), agentId)
            .update()
        == 1;
  }

  /** Records that an agent is gone; it no longer counts against capacity. */
  public void markTerminated(String agentId) {
    jdbc.sql("update agents set state = 'TERMINATED', terminated_at = ? where id = ? and state <> 'TERMINATED'")
        .params(timestamp(clock.instant()), agentId)
        .update();
  }

  private static String abbreviate(String reason) {
    return reason.length() <= 255 ? reason : reason.substring(0, 252) + "...";
  }

  private static String jobKey(JobIdentifier job) {
    return String.valueOf(job.jobId());
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.from(instant);
  }

  private static Agent agent(ResultSet row, int number) throws SQLException {
    return new Agent(
        row.getString("id"),
        row.getString("cluster_profile_id"),
        row.getString("profile_key"),
        row.getString("environment"),
        AgentState.valueOf(row.getString("state")),
        row.getBoolean("reusable"),
        Duration.ofSeconds(row.getLong("idle_timeout_seconds")),
        Duration.ofSeconds(row.getLong("auto_register_timeout_seconds")),
        instant(row, "created_at").orElseThrow(),
        instant(row, "registered_at"),
        instant(row, "idle_since"));
  }

  private static Optional<Instant> instant(ResultSet row, String column) throws SQLException {
    return Optional.ofNullable(row.getObject(column, OffsetDateTime.class))
        .map(time -> time.withOffsetSameInstant(ZoneOffset.UTC).toInstant());
  }
}
