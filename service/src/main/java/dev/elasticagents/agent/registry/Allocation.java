package dev.elasticagents.agent.registry;

import dev.elasticagents.agent.AgentDecision;
import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.agent.ClusterProfile;
import dev.elasticagents.agent.DecisionKey;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.RecordedDecision;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Decides a create-agent request while its cluster profile's row is locked: the job's live agent,
 * an idle agent of the same profile, a new agent (reserved here, launched by the caller), or a
 * decline. Because every decision of a cluster profile holds that lock, capacity is never exceeded,
 * whatever number of threads and service instances decide at once.
 */
final class Allocation {

  /** The assignment of an agent that should-assign-work gave a job no lifecycle had decided on. */
  static final String ASSIGNED_BY_GOCD = "should-assign-work:";

  /**
   * The states of an agent that may still serve the GoCD job it was given: a terminating one counts
   * against capacity but will not, so its job gets another.
   */
  private static final String SERVING_STATES = "('PENDING', 'BUSY', 'IDLE')";

  /** The decisions recorded under some keys: a branch of {@link #read}. */
  private static final String RECORDED_DECISIONS =
      """
      select 'decision' as found, decision_key, outcome, agent_id, job_key, variables,
             null as assignment, null as profile_key, 0 as live, 0 as starting, 0 as idle
      from decisions where decision_key in (:keys)
      """;

  /** The live agent of each of some GoCD jobs: a branch of {@link #read}. */
  private static final String JOBS_AGENTS =
      """
      select 'agent' as found, null as decision_key, null as outcome, a.id as agent_id, r.job_key,
             null as variables, a.assignment, null as profile_key, 0 as live, 0 as starting,
             0 as idle
      from agent_requests r join agents a on a.id = r.agent_id
      where r.job_key in (:jobs) and a.state in %s
      """
          .formatted(SERVING_STATES);

  /**
   * The live agents of a cluster profile by agent profile, those among them starting and those
   * idle: a branch of {@link #read}.
   */
  private static final String PROFILE_COUNTS =
      """
      select 'count' as found, null as decision_key, null as outcome, null as agent_id,
             null as job_key, null as variables, null as assignment, profile_key, count(*) as live,
             count(case when state = 'PENDING' and registered_at is null then 1 end) as starting,
             count(case when state = 'IDLE' then 1 end) as idle
      from agents where cluster_profile_id = :cluster and state in %s
      group by profile_key
      """
          .formatted(AgentRows.LIVE_STATES);

  private final JdbcClient jdbc;
  private final DecisionLog decisions;
  private final CapacityGrants grants;
  private final AgentTransitions transitions;

  Allocation(
      JdbcClient jdbc, DecisionLog decisions, CapacityGrants grants, AgentTransitions transitions) {
    this.jdbc = jdbc;
    this.decisions = decisions;
    this.grants = grants;
    this.transitions = transitions;
  }

  /**
   * Decides a demand; call it in the transaction that holds the cluster profile's lock, with the
   * view of that transaction. A new agent's row and its job's binding are left to the view's
   * inserts ({@link LockedView#sendInserts}), which go first whenever a statement reads or changes
   * the agents, their jobs' bindings or the decisions.
   */
  AgentDecision decide(Demand demand, Instant now, LockedView view) {
    ClusterProfile cluster = demand.cluster();
    AgentProfile profile = demand.profile();
    Optional<LiveAgent> jobsAgent = demand.jobKey().flatMap(view::liveAgentOf);
    if (jobsAgent.filter(agent -> agent.assignedByGoCdTo(demand)).isPresent()) {
      view.sendInserts();
    }
    Optional<AgentDecision> existing = agentTheJobHas(demand, now, jobsAgent);
    if (existing.isPresent()) {
      existing
          .filter(AgentDecision.Reused.class::isInstance)
          .ifPresent(adopted -> view.bound(demand, adopted.assignedAgent().orElseThrow()));
      return existing.get();
    }
    // Only an idle agent counted under the lock is looked for: one that becomes idle meanwhile is
    // missed as it would be a moment later, and the next job of its profile gets it.
    if (profile.reusable() && view.idle(profile.key()) > 0) {
      view.sendInserts();
      Optional<String> reused = reuseIdleAgent(demand, now);
      if (reused.isPresent()) {
        view.reused(profile.key());
        view.bound(demand, reused.get());
        return new AgentDecision.Reused(
            reused.get(), demand.key().value(), cluster.maxBuildDuration());
      }
    }
    int running = view.running();
    Optional<CapacityGrants.Unused> grant = Optional.empty();
    if (running >= cluster.maxRunningAgents()) {
      // Grants are a table of their own, which the view's inserts leave alone.
      grant = demand.jobKey().flatMap(job -> grants.unused(job, cluster.id(), profile.key()));
      if (grant.isEmpty() || running >= grant.get().maxRunningAgents()) {
        return demand.decline(atCapacity(cluster, grant));
      }
    }
    int starting = view.starting(profile.key());
    if (starting >= cluster.maxPendingAgents()) {
      return demand.decline(
          "enough idle agents: %d agents of this profile are starting and will take waiting jobs"
              .formatted(starting));
    }
    String agentId = demand.newAgentId().get();
    if (grant.isPresent() && !grants.use(grant.get().grantId(), agentId, now)) {
      throw new IllegalStateException(
          "Capacity grant " + grant.get().grantId() + " was used under the cluster profile's lock");
    }
    view.added(new NewAgent(agentId, demand, now));
    view.bound(demand, agentId);
    return new AgentDecision.Created(agentId, demand.key().value(), cluster.maxBuildDuration());
  }

  /**
   * What a demand finds before it is decided without the cluster profile's lock, read in one
   * statement, so one round trip to the database: the decision recorded under its key, and the live
   * agent its GoCD job has.
   */
  FirstLook firstLook(Demand demand) {
    Found found = read(List.of(demand.key()), demand.jobKey().stream().toList(), Optional.empty());
    return new FirstLook(
        Optional.ofNullable(found.recorded().get(demand.key())),
        demand.jobKey().map(found.agentsByJob()::get));
  }

  /** The decision recorded for a demand, if any, and the live agent of its GoCD job, if any. */
  record FirstLook(Optional<RecordedDecision> recorded, Optional<LiveAgent> liveAgent) {}

  /**
   * The decision when the GoCD job already has a live agent: the lifecycle adopts it if
   * should-assign-work gave it the job (a compare-and-set on that assignment, so that one lifecycle
   * adopts it), otherwise the agent is already created.
   */
  AgentDecision agentTheJobHas(Demand demand, Instant now, LiveAgent existing) {
    return (existing.assignedByGoCdTo(demand)
            ? adoptAssignedByGoCd(existing.id(), demand, now)
            : Optional.<String>empty())
        .<AgentDecision>map(
            id ->
                new AgentDecision.Reused(
                    id, demand.key().value(), demand.cluster().maxBuildDuration()))
        .orElseGet(() -> new AgentDecision.AlreadyCreated(existing.id()));
  }

  private Optional<AgentDecision> agentTheJobHas(
      Demand demand, Instant now, Optional<LiveAgent> existing) {
    return existing.map(agent -> agentTheJobHas(demand, now, agent));
  }

  /**
   * Gives a lifecycle the agent that GoCD's should-assign-work gave its job before any lifecycle
   * decided: that lifecycle then waits for the job's completion and releases the agent.
   */
  private Optional<String> adoptAssignedByGoCd(String agentId, Demand demand, Instant now) {
    int adopted =
        jdbc.sql(
                """
                update agents set version = version + 1, assignment = ?, assigned_at = ?, max_build_seconds = ?
                where id = ? and assignment = ? and state in ('PENDING', 'BUSY')
                """)
            .params(
                demand.key().value(),
                AgentRows.timestamp(now),
                demand.cluster().maxBuildDuration().toSeconds(),
                agentId,
                ASSIGNED_BY_GOCD + demand.jobKey().orElseThrow())
            .update();
    return adopted == 1 ? Optional.of(agentId) : Optional.empty();
  }

  private static String atCapacity(ClusterProfile cluster, Optional<CapacityGrants.Unused> grant) {
    String reason =
        "cluster profile '%s' is at its maximum of %d running agents"
            .formatted(cluster.id(), cluster.maxRunningAgents());
    return grant
        .map(
            g ->
                reason
                    + ", and the approved override allows at most %d"
                        .formatted(g.maxRunningAgents()))
        .orElse(reason);
  }

  /** A live agent bound to a job, with the assignment it carries (empty when it has none). */
  record LiveAgent(String id, String assignment) {

    /**
     * Whether should-assign-work gave it the demand's GoCD job before any lifecycle decided: the
     * demand then adopts it, a change of the agent that must commit with the decision.
     */
    boolean assignedByGoCdTo(Demand demand) {
      return demand.jobKey().map(job -> assignment.equals(ASSIGNED_BY_GOCD + job)).orElse(false);
    }
  }

  /** The agent a GoCD job was given, while it is neither terminating nor terminated. */
  Optional<String> liveAgentOf(String jobKey) {
    return liveAgentWithAssignmentOf(jobKey).map(LiveAgent::id);
  }

  private Optional<LiveAgent> liveAgentWithAssignmentOf(String jobKey) {
    return Optional.ofNullable(liveAgentsOf(List.of(jobKey)).get(jobKey));
  }

  /** The live agent of each of these GoCD jobs that has one, in one statement. */
  private Map<String, LiveAgent> liveAgentsOf(List<String> jobKeys) {
    return jobKeys.isEmpty()
        ? new HashMap<>()
        : read(List.of(), jobKeys, Optional.empty()).agentsByJob();
  }

  /**
   * Reads, in one statement, any of three things: the decisions recorded under {@code keys}, the
   * live agents of the GoCD jobs {@code jobKeys}, and the counts of a cluster profile's agents.
   * Each is a branch of one {@code union all}, left out when not asked for, so that each decision
   * reads what it needs in one round trip to the database; at least one must be asked for.
   */
  private Found read(
      Collection<DecisionKey> keys, Collection<String> jobKeys, Optional<String> countsOfProfile) {
    Map<String, DecisionKey> keysByValue = new HashMap<>();
    keys.forEach(key -> keysByValue.put(key.value(), key));
    List<String> branches = new ArrayList<>();
    Map<String, Object> parameters = new HashMap<>();
    if (!keys.isEmpty()) {
      branches.add(RECORDED_DECISIONS);
      parameters.put("keys", keysByValue.keySet());
    }
    if (!jobKeys.isEmpty()) {
      branches.add(JOBS_AGENTS);
      parameters.put("jobs", jobKeys);
    }
    countsOfProfile.ifPresent(
        clusterProfileId -> {
          branches.add(PROFILE_COUNTS);
          parameters.put("cluster", clusterProfileId);
        });
    Found found = new Found(new HashMap<>(), new HashMap<>(), new ArrayList<>());
    jdbc.sql(String.join("union all\n", branches))
        .params(parameters)
        .query(
            (ResultSet row) -> {
              switch (row.getString("found")) {
                case "decision" ->
                    found
                        .recorded()
                        .put(
                            keysByValue.get(row.getString("decision_key")),
                            decisions.recorded(row));
                case "agent" ->
                    found
                        .agentsByJob()
                        .put(
                            row.getString("job_key"),
                            new LiveAgent(
                                row.getString("agent_id"),
                                Objects.requireNonNullElse(row.getString("assignment"), "")));
                default ->
                    found
                        .counts()
                        .add(
                            new ProfileCount(
                                row.getString("profile_key"),
                                row.getInt("live"),
                                row.getInt("starting"),
                                row.getInt("idle")));
              }
            });
    return found;
  }

  /** What {@link #read} found; each part is empty when it was not asked for. */
  private record Found(
      Map<DecisionKey, RecordedDecision> recorded,
      Map<String, LiveAgent> agentsByJob,
      List<ProfileCount> counts) {}

  /**
   * Gives the job an idle agent of its profile. Cleanup does not take the cluster profile's lock,
   * so each candidate is taken with a compare-and-set: one claimed for termination meanwhile is
   * passed over, never brought back to life.
   */
  private Optional<String> reuseIdleAgent(Demand demand, Instant now) {
    List<IdleAgent> candidates =
        jdbc.sql(
                """
                select id, version from agents
                where cluster_profile_id = ? and profile_key = ? and state = 'IDLE'
                order by idle_since, id
                """)
            .params(demand.cluster().id(), demand.profile().key())
            .query((row, number) -> new IdleAgent(row.getString("id"), row.getLong("version")))
            .list();
    for (IdleAgent candidate : candidates) {
      if (transitions.reuse(
          candidate.id(),
          candidate.version(),
          demand.jobKey(),
          demand.key().value(),
          demand.cluster().maxBuildDuration(),
          now)) {
        demand.job().ifPresent(job -> bind(job, candidate.id(), now));
        return Optional.of(candidate.id());
      }
    }
    return Optional.empty();
  }

  private record IdleAgent(String id, long version) {}

  /** An agent a decision reserved, with the demand it serves, still to be inserted. */
  private record NewAgent(String agentId, Demand demand, Instant now) {}

  /** Inserts reserved agents in one statement, whatever their number. */
  private void insertAll(List<NewAgent> agents) {
    List<Object> parameters = new ArrayList<>(agents.size() * 13);
    for (NewAgent agent : agents) {
      ClusterProfile cluster = agent.demand().cluster();
      AgentProfile profile = agent.demand().profile();
      parameters.addAll(
          Arrays.asList(
              agent.agentId(),
              cluster.id(),
              profile.key(),
              profile.environment(),
              agent.demand().owner(),
              profile.reusable(),
              cluster.idleTimeout().toSeconds(),
              cluster.autoRegisterTimeout().toSeconds(),
              cluster.maxBuildDuration().toSeconds(),
              AgentRows.timestamp(agent.now()),
              agent.demand().jobKey().orElse(null),
              agent.demand().key().value(),
              AgentRows.timestamp(agent.now())));
    }
    jdbc.sql(
            """
            insert into agents (id, cluster_profile_id, profile_key, environment, state, version, owner,
                                reusable, idle_timeout_seconds, auto_register_timeout_seconds,
                                max_build_seconds, created_at, job_key, assignment, assigned_at)
            values %s
            """
                .formatted(
                    AgentRows.rows(
                        agents.size(), "(?, ?, ?, ?, 'PENDING', 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)")))
        .params(parameters)
        .update();
  }

  /**
   * Binds the GoCD job to its agent: a new job's row is inserted, which is the common case and one
   * statement; a job that had an agent before gets its row pointed at the new one.
   */
  void bind(JobIdentifier job, String agentId, Instant now) {
    bindAll(List.of(new Binding(job, agentId, now)));
  }

  /** A GoCD job given an agent. */
  private record Binding(JobIdentifier job, String agentId, Instant now) {}

  /**
   * Binds GoCD jobs to their agents: one statement inserts the rows of new jobs, whatever their
   * number; only if some job had an agent before are the rows pointed at the new agents, one
   * statement each (the insert does not tell which job had one).
   */
  private void bindAll(List<Binding> bindings) {
    List<Object> parameters = new ArrayList<>(bindings.size() * 4);
    for (Binding binding : bindings) {
      parameters.add(AgentRows.jobKey(binding.job()));
      parameters.add(AgentRows.abbreviate(binding.job().locator(), 512));
      parameters.add(binding.agentId());
      parameters.add(AgentRows.timestamp(binding.now()));
    }
    int inserted =
        jdbc.sql(
                """
                insert into agent_requests (job_key, job_locator, agent_id, requested_at)
                values %s on conflict do nothing
                """
                    .formatted(AgentRows.rows(bindings.size(), "(?, ?, ?, ?)")))
            .params(parameters)
            .update();
    if (inserted < bindings.size()) {
      for (Binding binding : bindings) {
        jdbc.sql("update agent_requests set agent_id = ?, requested_at = ? where job_key = ?")
            .params(
                binding.agentId(),
                AgentRows.timestamp(binding.now()),
                AgentRows.jobKey(binding.job()))
            .update();
      }
    }
  }

  /**
   * What the decisions of one transaction under a cluster profile's lock start from, read in one
   * statement once the lock is held: the decisions recorded under the demands' keys, the live agent
   * of each of their GoCD jobs, and the counts of the profile's agents. Read after the lock, so no
   * decision of the profile commits meanwhile.
   */
  LockedLook lockedLook(String clusterProfileId, List<Demand> demands) {
    List<String> jobKeys =
        demands.stream().flatMap(demand -> demand.jobKey().stream()).distinct().toList();
    Found found =
        read(demands.stream().map(Demand::key).toList(), jobKeys, Optional.of(clusterProfileId));
    return new LockedLook(
        found.recorded(),
        new LockedView(clusterProfileId, jobKeys, found.agentsByJob(), found.counts()));
  }

  /**
   * The decisions recorded for the demands of a locked transaction, and its view of the profile.
   */
  record LockedLook(Map<DecisionKey, RecordedDecision> recorded, LockedView view) {}

  /**
   * A cluster profile as the decisions of one transaction under its lock see it: how many of its
   * agents live, how many of each agent profile are still starting (reserved or launched, never
   * registered) and how many idle, and the live agent of each GoCD job the transaction decides for.
   * All are read in the transaction's first statement after the lock ({@link #lockedLook}), then
   * kept by the decisions that transaction takes, and read again only after one of them ended an
   * agent. Only a decision under the lock adds an agent or binds a job, so nothing raises the
   * counts or binds the jobs meanwhile; terminations and registrations elsewhere may lower the
   * counts or end an agent, which leaves the counts safely high and is caught by the
   * compare-and-set of whatever move follows.
   *
   * <p>It also holds what the transaction's decisions will insert: the agents they reserve, the
   * bindings of their jobs and the decisions themselves. Those go to the database together ({@link
   * #sendInserts}), in three statements however many decisions the transaction takes, before any
   * other statement of the transaction that reads or changes those tables and at its end, so that
   * every statement sees them. Owned by one transaction and its thread.
   */
  final class LockedView {

    private final String clusterProfileId;
    private final List<String> jobKeys;
    private final List<NewAgent> newAgents = new ArrayList<>();
    private final List<Binding> bindings = new ArrayList<>();
    private final List<DecisionLog.Recording> recordings = new ArrayList<>();
    private int running;
    // Null until read, and again after reread().
    private Map<String, Integer> startingByProfile;
    private Map<String, Integer> idleByProfile;
    private Map<String, LiveAgent> agentsByJob;

    private LockedView(
        String clusterProfileId,
        List<String> jobKeys,
        Map<String, LiveAgent> agentsByJob,
        List<ProfileCount> counts) {
      this.clusterProfileId = clusterProfileId;
      this.jobKeys = jobKeys;
      this.agentsByJob = agentsByJob;
      apply(counts);
    }

    int running() {
      count();
      return running;
    }

    int starting(String profileKey) {
      count();
      return startingByProfile.getOrDefault(profileKey, 0);
    }

    int idle(String profileKey) {
      count();
      return idleByProfile.getOrDefault(profileKey, 0);
    }

    /** A decision of this transaction gave a job an idle agent of the profile. */
    void reused(String profileKey) {
      count();
      idleByProfile.merge(profileKey, -1, Integer::sum);
    }

    /** A decision of this transaction reserved an agent, inserted with the others. */
    private void added(NewAgent agent) {
      count();
      running++;
      startingByProfile.merge(agent.demand().profile().key(), 1, Integer::sum);
      newAgents.add(agent);
      agent
          .demand()
          .job()
          .ifPresent(job -> bindings.add(new Binding(job, agent.agentId(), agent.now())));
    }

    /** A decision of this transaction, recorded with the others. */
    void record(DecisionKey key, RecordedDecision decision, Instant now) {
      recordings.add(new DecisionLog.Recording(key, decision, now));
    }

    Optional<LiveAgent> liveAgentOf(String jobKey) {
      if (agentsByJob == null) {
        sendInserts();
        agentsByJob = liveAgentsOf(jobKeys);
      }
      return Optional.ofNullable(agentsByJob.get(jobKey));
    }

    /** A decision of this transaction gave the demand's GoCD job this agent. */
    void bound(Demand demand, String agentId) {
      if (agentsByJob != null) {
        demand
            .jobKey()
            .ifPresent(job -> agentsByJob.put(job, new LiveAgent(agentId, demand.key().value())));
      }
    }

    /**
     * Sends what the decisions of this transaction left to insert: their agents, then their jobs'
     * bindings, then the decisions, a statement each. Call it before any other statement of the
     * transaction that reads or changes the agents, the bindings or the decisions, and at its end.
     */
    void sendInserts() {
      if (!newAgents.isEmpty()) {
        insertAll(newAgents);
        newAgents.clear();
      }
      if (!bindings.isEmpty()) {
        bindAll(bindings);
        bindings.clear();
      }
      if (!recordings.isEmpty()) {
        decisions.recordAll(recordings);
        recordings.clear();
      }
    }

    /** Something of this transaction ended an agent: read again when next needed. */
    void reread() {
      startingByProfile = null;
      agentsByJob = null;
    }

    private void count() {
      if (startingByProfile != null) {
        return;
      }
      sendInserts();
      apply(read(List.of(), List.of(), Optional.of(clusterProfileId)).counts());
    }

    private void apply(List<ProfileCount> counts) {
      Map<String, Integer> starting = new HashMap<>();
      Map<String, Integer> idle = new HashMap<>();
      int live = 0;
      for (ProfileCount count : counts) {
        live += count.live();
        starting.put(count.profileKey(), count.starting());
        idle.put(count.profileKey(), count.idle());
      }
      running = live;
      startingByProfile = starting;
      idleByProfile = idle;
    }
  }

  private record ProfileCount(String profileKey, int live, int starting, int idle) {}
}
