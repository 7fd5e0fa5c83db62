package dev.elasticagents.gocd.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.elasticagents.agent.AgentProperties;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.CapacityCeilings;
import dev.elasticagents.agent.ClusterProfileIds;
import dev.elasticagents.agent.lifecycle.ClusterProfiles;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.agent.registry.RegistryReports;
import dev.elasticagents.agent.registry.RegistryReports.AgentEvent;
import dev.elasticagents.agent.registry.RegistryReports.AgentSummary;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The status reports' HTML: what each shows, every value escaped. */
class StatusReportsTest {

  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

  private final RegistryReports reports = mock(RegistryReports.class);
  private final AgentRegistry registry = mock(AgentRegistry.class);
  private final StatusReports statusReports =
      new StatusReports(
          reports,
          registry,
          new ClusterProfiles(
              properties(),
              new CapacityCeilings(6, 20, Map.of()),
              new ClusterProfileIds(List.of(), 100),
              registry),
          Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void theClusterReportListsAgentsWithStateJobAgeAndReasonEscaped() {
    when(registry.runningAgents("k8s")).thenReturn(1);
    when(reports.agentsOf("k8s", StatusReports.AGENTS_PER_REPORT))
        .thenReturn(
            List.of(
                new AgentSummary(
                    "GoCDa",
                    "k8s",
                    AgentState.BUSY,
                    Optional.of("up42/1/stage/1/job"),
                    NOW.minus(Duration.ofMinutes(7)),
                    Optional.empty()),
                new AgentSummary(
                    "GoCDb",
                    "k8s",
                    AgentState.TERMINATED,
                    Optional.empty(),
                    NOW.minus(Duration.ofHours(2)),
                    Optional.of("launch failed: <script>"))));

    String html = statusReports.cluster(Map.of("id", "k8s", "max_running_agents", "4"));

    assertThat(html)
        .contains("<h3>Cluster profile k8s</h3>", "At most 4 running", "1 running now")
        .contains(
            "<tr><td>GoCDa</td><td>busy</td><td>up42/1/stage/1/job</td><td>7"
                + " min</td><td></td></tr>")
        .contains(
            "<td>GoCDb</td><td>terminated</td><td></td><td>2 h 0 min</td><td>launch failed:"
                + " &lt;script&gt;</td>")
        .doesNotContain("<script>");
  }

  @Test
  void theAgentReportAddsTheAgentsRecentEvents() {
    when(reports.agent("GoCDa"))
        .thenReturn(
            Optional.of(
                new AgentSummary(
                    "GoCDa",
                    "k8s",
                    AgentState.IDLE,
                    Optional.empty(),
                    NOW.minusSeconds(30),
                    Optional.empty())));
    when(reports.eventsOf("GoCDa", StatusReports.EVENTS_PER_AGENT))
        .thenReturn(
            List.of(
                new AgentEvent(NOW.minusSeconds(30), "reserved for k8s"),
                new AgentEvent(NOW, "idle, kept for reuse")));

    assertThat(statusReports.agent("GoCDa", null))
        .contains("<h3>Agent GoCDa</h3>", "<td>idle</td>", "<td>30 s</td>")
        .contains(
            "<li><time>2026-12-02T09:59:30Z</time> reserved for"
                + " k8s</li><li><time>2026-12-02T10:00:00Z</time> idle, kept for reuse</li>");
  }

  @Test
  void theAgentReportSaysSoForAnAgentItDoesNotKnow() {
    assertThat(statusReports.agent("GoCDgone", null))
        .contains("No agent GoCDgone is known to the service.");
  }

  @Test
  void theClusterReportShowsTheLimitTheCeilingLeavesARequestThatAsksForMore() {
    String html = statusReports.cluster(Map.of("id", "k8s", "max_running_agents", "100000"));

    assertThat(html)
        .contains("At most 6 running and 5 starting agents")
        .contains("asks for 100000 running and 5 starting agents")
        .doesNotContain("At most 100000");
  }

  @Test
  void thePluginReportCountsLiveAgentsPerClusterProfileAndState() {
    when(reports.liveAgentsByClusterProfile())
        .thenReturn(Map.of("k8s", Map.of(AgentState.BUSY, 3, AgentState.IDLE, 1)));

    assertThat(statusReports.plugin())
        .contains("<th>pending</th><th>busy</th><th>idle</th><th>terminating</th>")
        .contains("<tr><td>k8s</td><td>0</td><td>3</td><td>1</td><td>0</td></tr>");
  }

  private static AgentProperties properties() {
    return new AgentProperties(
        "dev.elasticagents.zeebe",
        new AgentProperties.ClusterDefaults(
            10, 5, Duration.ofMinutes(10), Duration.ofMinutes(10), Duration.ofHours(24)),
        true,
        Duration.ofSeconds(30),
        3,
        Duration.ofMinutes(5),
        Duration.ofDays(30),
        "",
        Duration.ofMinutes(2),
        Duration.ofHours(1),
        Duration.ofSeconds(1),
        "local");
  }
}
