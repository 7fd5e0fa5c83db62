package dev.elasticagents.agent.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.AgentTransition;
import dev.elasticagents.agent.CapacityGrant;
import dev.elasticagents.agent.ClusterProfile;
import dev.elasticagents.agent.DecisionKey;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.LifecycleMessage;
import dev.elasticagents.agent.RecordedDecision;
import dev.elasticagents.agent.Termination;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The durable registry of agents, of the GoCD jobs they serve, of the decisions taken for Zeebe
 * jobs and of approved capacity overrides: the one way into those tables. Every change of an agent
 * is an {@link AgentTransition} carried out as a compare-and-set ({@link AgentTransitions}), so
 * concurrent deciders in any number of threads and service instances sharing the database never
 * both win.
 */
@Repository
public class AgentRegistry {

  /**
   * How the assignment starts that an agent carries while should-assign-work gave it a job that no
   * lifecycle has adopted (the GoCD job's id follows): GoCD's job-completion then releases it
   * directly.
   */
  public static final String ASSIGNED_BY_GOCD = Allocation.ASSIGNED_BY_GOCD;

  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;
  private final Clock clock;
  private final DecisionLog decisions;
  private final CapacityGrants grants;
  private final AgentTransitions transitions;
  private final ClusterProfileLocks profileLocks;
  private final WorkAssignment workAssignment;
  private final CreateAgentDecisions createAgentDecisions;
  private final MessageOutbox outbox;
  private final CompletionRepairs completionRepairs;

  /**
   * @param json the application's JSON mapper, for the variables recorded with decisions and
   *     messages
   */
  public AgentRegistry(
      JdbcClient jdbc,
      PlatformTransactionManager transactions,
      Clock clock,
      MeterRegistry meters,
      ObjectMapper json) {
    this.jdbc = jdbc;
    this.transactions = new TransactionTemplate(transactions);
    this.clock = clock;
    this.decisions = new DecisionLog(jdbc, meters, json);
    this.grants = new CapacityGrants(jdbc);
    this.transitions = new AgentTransitions(jdbc, clock, meters);
    this.profileLocks = new ClusterProfileLocks(jdbc, this.transactions);
    Allocation allocation = new Allocation(jdbc, decisions, grants, transitions);
    this.workAssignment = new WorkAssignment(allocation, transitions);
    this.createAgentDecisions =
        new CreateAgentDecisions(
            this.transactions, clock, decisions, allocation, transitions, profileLocks, meters);
    this.outbox = new MessageOutbox(jdbc, json);
    this.completionRepairs = new CompletionRepairs(jdbc);
  }

  /**
   * Decides a create-agent request and records the decision with its effect, in one transaction
   * (see {@link CreateAgentDecisions}). A redelivered job gets its recorded decision back, unless
   * that decision can no longer stand; then it decides again.
   */
  public RecordedDecision decide(Demand demand) {
    return createAgentDecisions.decide(demand);
  }

  /** Create-agent demands waiting for their cluster profile's lock in this instance. */
  int decisionsWaitingForLock(String clusterProfileId) {
    return createAgentDecisions.waitingForLock(clusterProfileId);
  }

  /**
   * Answers GoCD's should-assign-work for an agent and a job, giving an idle reusable agent of the
   * job's profiles the job in the same transaction (see {@link WorkAssignment#assignWork}).
   */
  public boolean assignWork(
      String agentId, JobIdentifier job, ClusterProfile cluster, AgentProfile profile) {
    // GoCD asks this for any cluster profile id, so it adds no row. A profile without one has no
    // agents to give the job; only the agent's own job can be confirmed, which needs no lock.
    boolean tracked = profileLocks.exists(cluster.id());
    return atomically(
        () -> {
          if (tracked) {
            profileLocks.lock(cluster.id());
          }
          return workAssignment.assignWork(agentId, job, cluster, profile, clock.instant());
        });
  }

  /**
   * Starts tracking a cluster profile (its row, which create-agent locks), unless the registry
   * tracks none by that id and {@code limit} others already; false then, and nothing is added.
   */
  public boolean trackClusterProfile(String clusterProfileId, int limit) {
    return profileLocks.ensureRow(clusterProfileId, limit);
  }

  /** Whether the registry tracks this cluster profile or has room for it within {@code limit}. */
  public boolean canTrackClusterProfile(String clusterProfileId, int limit) {
    return profileLocks.hasRoomFor(clusterProfileId, limit);
  }

  /** Runs {@code work} in one transaction: the registry calls it makes commit together. */
  public <T> T atomically(Supplier<T> work) {
    return transactions.execute(status -> work.get());
  }

  /** The decision recorded for a job, marked as a replay; each one found is logged and counted. */
  public Optional<RecordedDecision> recordedDecision(DecisionKey key) {
    return decisions.find(key).map(recorded -> decisions.replayed(key, recorded));
  }

  /**
   * Records a job's decision; call it in the transaction of its effect.
   *
   * @throws org.springframework.dao.DuplicateKeyException when a decision for the job was recorded
   *     meanwhile
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
  public List<RecordedDecision.Outcome> decisionsFor(String jobType, JobIdentifier job) {
    return decisions.outcomesFor(jobType, AgentRows.jobKey(job));
  }

  /** Records an approved capacity override; false when this approval recorded it already. */
  public boolean grantCapacity(CapacityGrant grant) {
    return atomically(() -> grants.grant(grant, clock.instant()));
  }

  /** The agent with this id, whatever its state. */
  public Optional<Agent> find(String agentId) {
    return transitions.find(agentId);
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
    return jdbc.sql(
            "select count(*) from agents where cluster_profile_id = ? and state in "
                + AgentRows.LIVE_STATES)
        .param(clusterProfileId)
        .query(Integer.class)
        .single();
  }

  /** Agents that are not terminated. */
  public List<Agent> live() {
    return jdbc.sql(
            "select "
                + AgentRows.COLUMNS
                + " from agents where state <> 'TERMINATED' order by created_at, id")
        .query(AgentRows::agent)
        .list();
  }

  /** Keeps an agent whose job finished for another job ({@link AgentTransition#KEEP_IDLE}). */
  public boolean keepIdle(Agent observed) {
    return transitions.keepIdle(observed);
  }

  /**
   * Claims an agent for termination ({@link AgentTransition#CLAIM_TERMINATION}): from now on no
   * request can take it, and only the claimer terminates it.
   *
   * @param claimer the owner scope of the claiming instance
   */
  public boolean claimTermination(Agent observed, String claimer, Termination termination) {
    return atomically(
        () -> {
          if (!transitions.claimTermination(observed, claimer, termination)) {
            return false;
          }
          if (heldByLifecycle(observed)) {
            outbox.record(
                LifecycleMessage.agentLost(observed.id(), termination.reason()), clock.instant());
          }
          if (!observed.isLaunched()) {
            grants.freeUnlaunched(observed.id());
          }
          return true;
        });
  }

  /**
   * Claims the termination of the agent a lifecycle lets go of, for its own job-completion or
   * overrun: that lifecycle needs no message.
   */
  public boolean claimReleasedTermination(Agent observed, String claimer, Termination termination) {
    return transitions.claimTermination(observed, claimer, termination);
  }

  /**
   * Whether a lifecycle waits for this agent's build: it was reserved or given to a job by a
   * create-agent decision (not by GoCD's should-assign-work alone) and has not been let go of.
   */
  private static boolean heldByLifecycle(Agent agent) {
    return (agent.state() == AgentState.PENDING || agent.state() == AgentState.BUSY)
        && agent
            .assignment()
            .filter(assignment -> !assignment.startsWith(Allocation.ASSIGNED_BY_GOCD))
            .isPresent();
  }

  /** The oldest messages for lifecycles not yet published, at most {@code limit}. */
  public List<LifecycleMessage> unpublishedMessages(int limit) {
    return outbox.pending(limit);
  }

  /** Forgets messages the engine took. */
  public void messagesPublished(Collection<String> messageIds) {
    outbox.published(messageIds);
  }

  /** The busy agents with a job, with what GoCD's server-pings showed of them. */
  public List<BusyAgent> busyAgents() {
    return completionRepairs.busyAgents();
  }

  /** Notes that a server-ping showed a busy agent idle; false when noted before or it changed. */
  public boolean noteGoCdIdle(BusyAgent agent) {
    return completionRepairs.idleSince(agent, clock.instant());
  }

  /** Forgets that a server-ping showed the agent idle: GoCD shows it building. */
  public void noteGoCdBuilding(BusyAgent agent) {
    completionRepairs.building(agent);
  }

  /**
   * Repairs the lost job-completion of a busy agent: marks its job repaired and records the
   * job-completed message its lifecycle would have got, together; false when repaired before or the
   * agent changed since it was read.
   */
  public boolean repairCompletion(BusyAgent agent, String reason) {
    return atomically(
        () -> {
          if (!completionRepairs.repaired(agent)) {
            return false;
          }
          outbox.record(
              LifecycleMessage.completionRepaired(agent.id(), agent.jobKey(), reason),
              clock.instant());
          return true;
        });
  }

  /**
   * Takes over a termination whose claimer cannot finish it ({@link
   * AgentTransition#TAKE_OVER_TERMINATION}).
   */
  public boolean takeOverTermination(Agent observed, String claimer) {
    return transitions.takeOverTermination(observed, claimer);
  }

  /** Records that the claimer terminated the agent ({@link AgentTransition#FINISH_TERMINATION}). */
  public boolean finishTermination(String agentId, String claimer) {
    return transitions.finishTermination(agentId, claimer);
  }

  /** Records that a reservation was launched; false when it was claimed for termination first. */
  public boolean markLaunched(String agentId) {
    return transitions.markLaunched(agentId);
  }

  /**
   * Records that the GoCD server knows these agents, so they registered: a pending agent becomes
   * busy ({@link AgentTransition#REGISTER}). Returns the agents newly marked.
   */
  public List<String> markRegistered(Collection<String> agentIds) {
    return transitions.markRegistered(agentIds);
  }
}
