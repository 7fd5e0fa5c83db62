package dev.elasticagents.agent.registry;

import dev.elasticagents.agent.AgentState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What the registry holds, as gauges read when they are scraped (one read of the registry serves
 * the scrapes of {@link #MAX_AGE}):
 *
 * <ul>
 *   <li>{@code elastic_agents_live{cluster_profile, state}}: live agents by cluster profile and
 *       state, every live state of every cluster profile seen since the start, zeros included;
 *   <li>{@code elastic_agents_oldest_seconds{state}}: how long the oldest pending agent has waited
 *       since it was reserved, and the oldest terminating agent since it was claimed; 0 when there
 *       is none. Cleanup ends both within their timeouts, so a high value means agents are stuck.
 * </ul>
 *
 * Every instance that shares the registry reports the same values: aggregate them with max, not
 * sum. While the registry does not answer the gauges read NaN.
 */
@Component
class AgentGauges {

  /** How long one read of the registry serves scrapes. */
  static final Duration MAX_AGE = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(AgentGauges.class);
  private static final List<AgentState> LIVE =
      Arrays.stream(AgentState.values()).filter(AgentState::isLive).toList();
  private static final List<AgentState> WATCHED =
      List.of(AgentState.PENDING, AgentState.TERMINATING);

  private final RegistryReports reports;
  private final JdbcClient jdbc;
  private final Clock clock;
  private final MeterRegistry meters;
  // Only cluster profiles with agents, which the registry tracks within its bound on ids.
  private final Set<String> clusterProfiles = ConcurrentHashMap.newKeySet();
  private Optional<Snapshot> snapshot = Optional.empty();
  private Instant readAt = Instant.MIN;

  AgentGauges(RegistryReports reports, JdbcClient jdbc, Clock clock, MeterRegistry meters) {
    this.reports = reports;
    this.jdbc = jdbc;
    this.clock = clock;
    this.meters = meters;
    for (AgentState state : WATCHED) {
      Gauge.builder("elastic.agents.oldest", this, gauges -> gauges.oldestSeconds(state))
          .description(
              "How long the oldest agent in this state has been in it (pending: since it was"
                  + " reserved)")
          .baseUnit("seconds")
          .tag("state", tagOf(state))
          .strongReference(true)
          .register(meters);
    }
  }

  private double oldestSeconds(AgentState state) {
    Optional<Snapshot> read = snapshot();
    if (read.isEmpty()) {
      return Double.NaN;
    }
    Instant since = read.get().oldest().get(state);
    return since == null ? 0 : Math.max(0, Duration.between(since, clock.instant()).toSeconds());
  }

  private double live(String clusterProfile, AgentState state) {
    return snapshot()
        .map(
            read ->
                (double) read.live().getOrDefault(clusterProfile, Map.of()).getOrDefault(state, 0))
        .orElse(Double.NaN);
  }

  private synchronized Optional<Snapshot> snapshot() {
    Instant now = clock.instant();
    if (readAt.plus(MAX_AGE).isAfter(now)) {
      return snapshot;
    }
    readAt = now;
    try {
      snapshot = Optional.of(new Snapshot(reports.liveAgentsByClusterProfile(), oldest()));
      snapshot.get().live().keySet().stream().filter(clusterProfiles::add).forEach(this::register);
    } catch (DataAccessException e) {
      log.debug("Cannot read agent counts from the registry", e);
      snapshot = Optional.empty();
    }
    return snapshot;
  }

  /**
   * Gauges for a cluster profile seen for the first time; they stay, reading 0 once it has no
   * agents.
   */
  private void register(String clusterProfile) {
    for (AgentState state : LIVE) {
      Gauge.builder("elastic.agents.live", this, gauges -> gauges.live(clusterProfile, state))
          .description("Live agents by cluster profile and state")
          .tag("cluster_profile", clusterProfile)
          .tag("state", tagOf(state))
          .strongReference(true)
          .register(meters);
    }
  }

  private Map<AgentState, Instant> oldest() {
    Map<AgentState, Instant> oldest = new ConcurrentHashMap<>();
    jdbc.sql(
            """
            select state, min(coalesce(terminating_since, created_at)) as since from agents
            where state in ('PENDING', 'TERMINATING') group by state
            """)
        .query(
            (ResultSet row) -> {
              AgentState state = AgentState.valueOf(row.getString("state"));
              AgentRows.instant(row, "since").ifPresent(since -> oldest.put(state, since));
            });
    return oldest;
  }

  private static String tagOf(AgentState state) {
    return state.name().toLowerCase(Locale.ROOT);
  }

  private record Snapshot(
      Map<String, Map<AgentState, Integer>> live, Map<AgentState, Instant> oldest) {}
}
