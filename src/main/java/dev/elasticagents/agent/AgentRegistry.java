package dev.elasticagents.agent;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The durable registry of agents, of the GoCD jobs they serve, of the decisions taken for Zeebe
 * jobs and of approved capacity overrides. Every change of an agent is an {@link AgentTransition}
 * carried out as a compare-and-set, so concurrent deciders in any number of threads and service
 * instances sharing the database never both win.
 */
@Repository
public class AgentRegistry {

  private static final Logger log = LoggerFactory.getLogger(AgentRegistry.class);

  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;
  private final Clock clock;
  private final MeterRegistry meters;
  private final DecisionLog decisions;
  private final CapacityGrants grants;
  private final Allocation allocation;
  private final WorkAssignment workAssignment;
  // Cluster profile rows are never deleted: once one is known to exist, no decision asks again.
  private final Set<String> knownClusterProfiles = ConcurrentHashMap.newKeySet();

  public AgentRegistry(
      JdbcClient jdbc, PlatformTransactionManager transactions, Clock clock, MeterRegistry meters) {
    this.jdbc = jdbc;
    this.transactions = new TransactionTemplate(transactions);
    this.clock = clock;
    this.meters = meters;
    this.decisions = new DecisionLog(jdbc);
    this.grants = new CapacityGrants(jdbc);
    this.allocation = new Allocation(jdbc, grants, this::refused);
    this.workAssignment = new WorkAssignment(jdbc, allocation, this::refused);
  }

  /**
   * Decides a create-agent request and records the decision with its effect, in one transaction.
   * A redelivered job gets its recorded decision back, unless that decision can no longer stand:
   * its agent was terminated before it ever registered (its launch failed or never happened), or
   * it is a reservation of another instance that was never launched. Then it decides again.
   */
  RecordedDecision decide(Demand demand) {
    ensureClusterProfile(demand.cluster().id());
    try {
      return atomically(() -> decideWithoutLock(demand)).orElseGet(() -> atomically(() -> decideLocked(demand)));
    } catch (DuplicateKeyException e) {
      // The same job, or the same GoCD job under another cluster profile, was decided meanwhile.
      return atomically(() -> decideLocked(demand));
    }
  }

  /**
   * The decisions that change no capacity, taken without the cluster profile's lock, so that GoCD
   * re-sending create-agent for waiting jobs does not queue behind the jobs that get agents: a
   * recorded decision that stands, and the agent the GoCD job already has. Each rests on a
   * compare-and-set or a unique key, not on the lock: two redeliveries recording at once collide
   * on the decision key, and an agent given to the job by should-assign-work is adopted by a
   * compare-and-set. Empty when the decision needs the lock; that runs in a transaction of its
   * own, so that this one holds no row lock while it waits for the cluster profile's.
   */
  private Optional<RecordedDecision> decideWithoutLock(Demand demand) {
    Optional<RecordedDecision> recorded = decisions.find(demand.key());
    if (recorded.isPresent()) {
      return recorded
          .filter(decision -> standing(decision, demand.owner()) == Standing.STANDS)
          .map(decision -> replayed(demand.key(), decision));
    }
    Instant now = clock.instant();
    return allocation.agentTheJobHas(demand, now).map(decision -> record(demand, decision, now));
  }

  private RecordedDecision decideLocked(Demand demand) {
    lockClusterProfile(demand.cluster().id());
    Optional<RecordedDecision> recorded = decisions.find(demand.key());
    if (recorded.isPresent() && stillStands(recorded.get(), demand.owner())) {
      return replayed(demand.key(), recorded.get());
    }
    recorded.ifPresent(stale -> decisions.forget(demand.key()));
    Instant now = clock.instant();
    return record(demand, allocation.decide(demand, now), now);
  }

  private RecordedDecision record(Demand demand, AgentDecision decision, Instant now) {
    RecordedDecision fresh =
        RecordedDecision.fresh(decision.outcome(), decision.assignedAgent(), demand.jobKey(), decision.variables());
    decisions.record(demand.key(), fresh, now);
    return fresh;
  }

  /** Whether a recorded decision can be replayed, as far as a read tells. */
  private enum Standing {
    STANDS,
    /** Its agent was terminated before it ever registered. */
    STALE,
    /** Its agent is a reservation of another instance that was never launched. */
    RESERVED_BY_ANOTHER
  }

  private Standing standing(RecordedDecision recorded, String owner) {
    if (!recorded.outcome().equals("CREATED")) {
      return Standing.STANDS;
    }
    Agent agent = recorded.agentId().flatMap(this::find).orElseThrow();
    if (!agent.state().isAvailable()) {
      return agent.registeredAt().isPresent() ? Standing.STANDS : Standing.STALE;
    }
    if (agent.state() == AgentState.PENDING && !agent.isLaunched() && !agent.owner().equals(owner)) {
      return Standing.RESERVED_BY_ANOTHER;
    }
    return Standing.STANDS;
  }

  private boolean stillStands(RecordedDecision recorded, String owner) {
    return switch (standing(recorded, owner)) {
      case STANDS -> true;
      case STALE -> false;
      // Only the owner can launch it: take the reservation back so that no launch can use it.
      case RESERVED_BY_ANOTHER ->
          !claimTermination(
              recorded.agentId().flatMap(this::find).orElseThrow(),
              owner,
              "reservation replaced: its job was redelivered to another instance");
    };
  }

  /**
   * Answers GoCD's should-assign-work for an agent and a job, giving an idle reusable agent of
   * the job's profiles the job in the same transaction (see {@link WorkAssignment#assignWork}).
   */
  public boolean assignWork(String agentId, JobIdentifier job, ClusterProfile cluster, AgentProfile profile) {
    ensureClusterProfile(cluster.id());
    return atomically(
        () -> {
          lockClusterProfile(cluster.id());
          return workAssignment.assignWork(agentId, job, cluster, profile, clock.instant());
        });
  }

  /**
   * The assignment an agent carries while should-assign-work gave it a job that no lifecycle has
   * adopted: GoCD's job-completion then releases it directly.
   */
  public static String assignedByGoCd(JobIdentifier job) {
    return Allocation.ASSIGNED_BY_GOCD + AgentRows.jobKey(job);
  }

  private void ensureClusterProfile(String id) {
    if (knownClusterProfiles.contains(id)) {
      return;
    }
    if (jdbc.sql("select count(*) from cluster_profiles where id = ?").param(id).query(Integer.class).single() == 0) {
      try {
        atomically(() -> jdbc.sql("insert into cluster_profiles (id) values (?)").param(id).update());
      } catch (DuplicateKeyException e) {
        // Another request created it at the same time: the row is there, which is all we need.
      }
    }
    knownClusterProfiles.add(id);
  }

  private void lockClusterProfile(String id) {
    jdbc.sql("select id from cluster_profiles where id = ? for update").param(id).query(String.class).single();
  }

  /** Runs {@code work} in one transaction: the registry calls it makes commit together. */
  public <T> T atomically(Supplier<T> work) {
    return transactions.execute(status -> work.get());
  }

  /** The decision recorded for a job, marked as a replay; each one found is logged and counted. */
  public Optional<RecordedDecision> recordedDecision(DecisionKey key) {
    return decisions.find(key).map(recorded -> replayed(key, recorded));
  }

  private RecordedDecision replayed(DecisionKey key, RecordedDecision decision) {
    log.info(
        "Replayed decision {}{} for redelivered job {}",
        decision.outcome(),
        decision.agentId().map(id -> " (agent " + id + ")").orElse(""),
        key);
    meters.counter("elastic.agents.decisions.replayed", "type", key.jobType()).increment();
    return decision;
  }

  /**
   * Records a job's decision; call it in the transaction of its effect.
   *
   * @throws DuplicateKeyException when a decision for the job was recorded meanwhile
   */
  public void recordDecision(DecisionKey key, RecordedDecision decision) {
    decisions.record(key, decision, clock.instant());
  }

  /** Forgets decisions older than {@code cutoff}; their jobs are long done. */
  public int purgeDecisionsBefore(Instant cutoff) {
    return decisions.purgeBefore(cutoff);
  }

  /** Every agent a create-agent decision gave this GoCD job, oldest first. */
  public List<String> agentsAssignedTo(JobIdentifier job) {
    return decisions.agentsAssignedTo(AgentRows.jobKey(job));
  }

  /** What every decision of one job type for this GoCD job came to, oldest first. */
  public List<String> decisionsFor(String jobType, JobIdentifier job) {
    return decisions.outcomesFor(jobType, AgentRows.jobKey(job));
  }

  /** Records an approved capacity override; false when this approval recorded it already. */
  public boolean grantCapacity(CapacityGrant grant) {
    return atomically(() -> grants.grant(grant, clock.instant()));
  }

  /** The agent with this id, whatever its state. */
  public Optional<Agent> find(String agentId) {
    return jdbc.sql("select " + AgentRows.COLUMNS + " from agents where id = ?")
        .param(agentId)
        .query(AgentRows::agent)
        .optional();
  }

  /** The agent a GoCD job was last given, whatever its state. */
  public Optional<String> agentOf(JobIdentifier job) {
    return jdbc.sql("select agent_id from agent_requests where job_key = ?")
        .param(AgentRows.jobKey(job))
        .query(String.class)
        .optional();
  }

  /** Agents of a cluster profile that count against its capacity: all but terminated ones. */
  public int runningAgents(String clusterProfileId) {
    return jdbc.sql("select count(*) from agents where cluster_profile_id = ? and state <> 'TERMINATED'")
        .param(clusterProfileId)
        .query(Integer.class)
        .single();
  }

  /** Agents that are not terminated. */
  public List<Agent> live() {
    return jdbc.sql("select " + AgentRows.COLUMNS + " from agents where state <> 'TERMINATED' order by created_at, id")
        .query(AgentRows::agent)
        .list();
  }

  /** Keeps an agent whose job finished for another job ({@link AgentTransition#KEEP_IDLE}). */
  public boolean keepIdle(Agent observed) {
    Instant now = clock.instant();
    return move(
        observed,
        AgentTransition.KEEP_IDLE,
        ", idle_since = ?, registered_at = coalesce(registered_at, ?), job_key = null",
        AgentRows.timestamp(now),
        AgentRows.timestamp(now));
  }

  /**
   * Claims an agent for termination ({@link AgentTransition#CLAIM_TERMINATION}): from now on no
   * request can take it, and only the claimer terminates it.
   *
   * @param claimer the owner scope of the claiming instance
   */
  public boolean claimTermination(Agent observed, String claimer, String reason) {
    return move(
        observed,
        AgentTransition.CLAIM_TERMINATION,
        ", termination_reason = ?, claimed_by = ?, terminating_since = ?",
        AgentRows.abbreviate(reason, 255),
        claimer,
        AgentRows.timestamp(clock.instant()));
  }

  /** Takes over a termination whose claimer cannot finish it ({@link AgentTransition#TAKE_OVER_TERMINATION}). */
  public boolean takeOverTermination(Agent observed, String claimer) {
    return move(
        observed,
        AgentTransition.TAKE_OVER_TERMINATION,
        ", claimed_by = ?, terminating_since = ?",
        claimer,
        AgentRows.timestamp(clock.instant()));
  }

  /** Records that the claimer terminated the agent ({@link AgentTransition#FINISH_TERMINATION}). */
  public boolean finishTermination(String agentId, String claimer) {
    return counted(AgentTransition.FINISH_TERMINATION, jdbc.sql(
                """
                update agents set state = 'TERMINATED', version = version + 1, terminated_at = ?
                where id = ? and state = 'TERMINATING' and claimed_by = ?
                """)
            .params(AgentRows.timestamp(clock.instant()), agentId, claimer)
            .update()
        == 1);
  }

  /** Records that a reservation was launched; false when it was claimed for termination first. */
  public boolean markLaunched(String agentId) {
    return jdbc.sql(
                """
                update agents set launched_at = ?, version = version + 1
                where id = ? and state = 'PENDING' and launched_at is null
                """)
            .params(AgentRows.timestamp(clock.instant()), agentId)
            .update()
        == 1;
  }

  /**
   * Records that the GoCD server knows these agents, so they registered: a pending agent becomes
   * busy ({@link AgentTransition#REGISTER}). Returns the agents newly marked.
   */
  public List<String> markRegistered(Collection<String> agentIds) {
    java.sql.Timestamp now = AgentRows.timestamp(clock.instant());
    List<String> marked = new ArrayList<>();
    for (String id : agentIds) {
      int updated =
          jdbc.sql(
                  """
                  update agents set registered_at = ?, version = version + 1,
                                    state = case when state = 'PENDING' then 'BUSY' else state end
                  where id = ? and registered_at is null and state in ('PENDING', 'BUSY', 'IDLE')
                  """)
              .params(now, id)
              .update();
      if (updated == 1) {
        marked.add(id);
      }
    }
    return marked;
  }

  private boolean move(Agent observed, AgentTransition transition, String set, Object... values) {
    if (!transition.allowsFrom(observed.state())) {
      return counted(transition, false);
    }
    List<Object> params = new ArrayList<>();
    params.add(transition.to().name());
    params.addAll(List.of(values));
    params.add(observed.id());
    params.add(observed.state().name());
    params.add(observed.version());
    return counted(
        transition,
        jdbc.sql(
                    "update agents set state = ?, version = version + 1" + set
                        + " where id = ? and state = ? and version = ?")
                .params(params)
                .update()
            == 1);
  }

  /** Counts a transition refused because the agent changed since it was read. */
  private boolean counted(AgentTransition transition, boolean done) {
    if (!done) {
      refused(transition);
    }
    return done;
  }

  private void refused(AgentTransition transition) {
    meters.counter("elastic.agents.transitions.refused", "transition", transition.metricName()).increment();
    log.debug("Refused {}: the agent changed since it was read", transition.metricName());
  }
}
