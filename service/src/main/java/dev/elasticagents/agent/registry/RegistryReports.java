package dev.elasticagents.agent.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.DecisionOutcome;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Read-only views of the registry for the GoCD server: what to do with the agents it lists, which
 * declines still leave jobs waiting, and the agents of the status reports.
 */
@Service
public class RegistryReports {

  private static final String SUMMARY_COLUMNS =
      "a.id, a.cluster_profile_id, a.state, a.created_at, a.termination_reason, r.job_locator";
  private static final String SUMMARY_FROM =
      " from agents a left join agent_requests r on r.agent_id = a.id and r.job_key = a.job_key";

  /** GoCD lists thousands of agents at most; a query names a few hundred of them. */
  private static final int IDS_PER_QUERY = 500;

  private final JdbcClient jdbc;
  private final Clock clock;
  private final ObjectMapper json;

  public RegistryReports(JdbcClient jdbc, Clock clock, ObjectMapper json) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.json = json;
  }

  /**
   * What the GoCD server should do with the agents it lists: disable those being terminated, and
   * delete those terminated or unknown to the registry (GoCD deletes only disabled agents, so the
   * caller disables those too).
   */
  public AgentInstructions instructionsFor(Collection<String> agentIds) {
    Map<String, AgentState> states = statesOf(List.copyOf(agentIds));
    List<String> disable = new ArrayList<>();
    List<String> delete = new ArrayList<>();
    for (String id : agentIds) {
      AgentState state = states.get(id);
      if (state == null || state == AgentState.TERMINATED) {
        delete.add(id);
      } else if (state == AgentState.TERMINATING) {
        disable.add(id);
      }
    }
    return new AgentInstructions(List.copyOf(disable), List.copyOf(delete));
  }

  /** The states of the agents the registry knows among {@code ids}, a few hundred per query. */
  private Map<String, AgentState> statesOf(List<String> ids) {
    Map<String, AgentState> states = new HashMap<>();
    for (int from = 0; from < ids.size(); from += IDS_PER_QUERY) {
      jdbc.sql("select id, state from agents where id in (:ids)")
          .param("ids", ids.subList(from, Math.min(ids.size(), from + IDS_PER_QUERY)))
          .query(
              (ResultSet row) -> {
                states.put(row.getString("id"), AgentState.valueOf(row.getString("state")));
              });
    }
    return states;
  }

  /**
   * Declines of the last {@code window} whose GoCD jobs got no agent since, one entry per reason,
   * newest first. Once the jobs get agents (a later decision, or should-assign-work), or no decline
   * happened for a window, the entry is gone; it does not come back when that agent ends.
   */
  public List<UnresolvedDecline> unresolvedDeclines(Duration window) {
    Map<String, UnresolvedDecline> byReason = new LinkedHashMap<>();
    jdbc.sql(
            """
            select d.variables, d.decided_at from decisions d
            where d.outcome = ? and d.decided_at > ?
              and not exists (select 1 from decisions later
                              where later.job_key = d.job_key and later.decided_at >= d.decided_at
                                and later.outcome in (?, ?, ?))
              and not exists (select 1 from agent_requests r join agents a on a.id = r.agent_id
                              where r.job_key = d.job_key and a.state in ('PENDING', 'BUSY', 'IDLE'))
            order by d.decided_at desc
            """)
        .params(
            DecisionOutcome.DECLINED.name(),
            AgentRows.timestamp(clock.instant().minus(window)),
            DecisionOutcome.CREATED.name(),
            DecisionOutcome.REUSED.name(),
            DecisionOutcome.ALREADY_CREATED.name())
        .query(
            (row, number) ->
                new UnresolvedDecline(
                    declineReason(row.getString("variables")),
                    1,
                    AgentRows.instant(row, "decided_at").orElseThrow()))
        .list()
        .forEach(
            decline ->
                byReason.merge(
                    decline.reason(),
                    decline,
                    (first, next) ->
                        new UnresolvedDecline(first.reason(), first.declines() + 1, first.last())));
    return List.copyOf(byReason.values());
  }

  private String declineReason(String variables) {
    try {
      return String.valueOf(
          json.readTree(variables).path("decline_reason").asText("no reason recorded"));
    } catch (JsonProcessingException e) {
      return "no reason recorded";
    }
  }

  /** Agents of a cluster profile: the live ones first, then the most recently created. */
  public List<AgentSummary> agentsOf(String clusterProfileId, int limit) {
    return jdbc.sql(
            "select "
                + SUMMARY_COLUMNS
                + SUMMARY_FROM
                + " where a.cluster_profile_id = ? order by case when a.state = 'TERMINATED' then 1"
                + " else 0 end, a.created_at desc, a.id limit ?")
        .params(clusterProfileId, limit)
        .query(RegistryReports::summary)
        .list();
  }

  /** Agents per cluster profile and state, terminated ones left out. */
  public Map<String, Map<AgentState, Integer>> liveAgentsByClusterProfile() {
    Map<String, Map<AgentState, Integer>> counts = new LinkedHashMap<>();
    jdbc.sql(
            """
            select cluster_profile_id, state, count(*) as agents from agents where state <> 'TERMINATED'
            group by cluster_profile_id, state order by cluster_profile_id, state
            """)
        .query(
            (ResultSet row) -> {
              counts
                  .computeIfAbsent(row.getString("cluster_profile_id"), id -> new LinkedHashMap<>())
                  .put(AgentState.valueOf(row.getString("state")), row.getInt("agents"));
            });
    return counts;
  }

  public Optional<AgentSummary> agent(String agentId) {
    return jdbc.sql("select " + SUMMARY_COLUMNS + SUMMARY_FROM + " where a.id = ?")
        .param(agentId)
        .query(RegistryReports::summary)
        .optional();
  }

  /** What happened to an agent, oldest first: its own times and the decisions that named it. */
  public List<AgentEvent> eventsOf(String agentId, int limit) {
    List<AgentEvent> events = new ArrayList<>();
    jdbc.sql(
            "select "
                + AgentRows.COLUMNS
                + ", terminated_at, termination_reason from agents where id = ?")
        .param(agentId)
        .query(
            (ResultSet row) -> {
              Agent agent = AgentRows.agent(row, 0);
              events.add(
                  new AgentEvent(agent.createdAt(), "reserved for " + agent.clusterProfileId()));
              agent.launchedAt().ifPresent(at -> events.add(new AgentEvent(at, "launched")));
              agent
                  .registeredAt()
                  .ifPresent(
                      at -> events.add(new AgentEvent(at, "registered with the GoCD server")));
              agent
                  .assignedAt()
                  .ifPresent(
                      at ->
                          events.add(
                              new AgentEvent(
                                  at, "given GoCD job " + agent.jobKey().orElse("(done)"))));
              agent
                  .idleSince()
                  .ifPresent(at -> events.add(new AgentEvent(at, "idle, kept for reuse")));
              String reason =
                  Optional.ofNullable(row.getString("termination_reason"))
                      .orElse("no reason recorded");
              agent
                  .terminatingSince()
                  .ifPresent(
                      at -> events.add(new AgentEvent(at, "termination claimed: " + reason)));
              AgentRows.instant(row, "terminated_at")
                  .ifPresent(at -> events.add(new AgentEvent(at, "terminated")));
            });
    jdbc.sql("select decision_key, outcome, job_key, decided_at from decisions where agent_id = ?")
        .param(agentId)
        .query(
            (ResultSet row) -> {
              events.add(
                  new AgentEvent(
                      AgentRows.instant(row, "decided_at").orElseThrow(),
                      "decision %s by %s%s"
                          .formatted(
                              row.getString("outcome"),
                              row.getString("decision_key"),
                              Optional.ofNullable(row.getString("job_key"))
                                  .map(job -> " for GoCD job " + job)
                                  .orElse(""))));
            });
    events.sort(Comparator.comparing(AgentEvent::at));
    return events.size() <= limit
        ? List.copyOf(events)
        : List.copyOf(events.subList(events.size() - limit, events.size()));
  }

  private static AgentSummary summary(ResultSet row, int number) throws SQLException {
    return new AgentSummary(
        row.getString("id"),
        row.getString("cluster_profile_id"),
        AgentState.valueOf(row.getString("state")),
        Optional.ofNullable(row.getString("job_locator")),
        AgentRows.instant(row, "created_at").orElseThrow(),
        Optional.ofNullable(row.getString("termination_reason")));
  }

  /** Agents the GoCD server should disable, and those it should delete. */
  public record AgentInstructions(List<String> disable, List<String> delete) {}

  /** Requests declined for one reason whose jobs still wait. */
  public record UnresolvedDecline(String reason, int declines, Instant last) {}

  /** One agent as the status reports show it. */
  public record AgentSummary(
      String id,
      String clusterProfileId,
      AgentState state,
      Optional<String> job,
      Instant createdAt,
      Optional<String> reason) {}

  /** Something that happened to an agent. */
  public record AgentEvent(Instant at, String what) {}
}
