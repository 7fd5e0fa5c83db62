package dev.elasticagents.gocd.endpoint;

import static org.springframework.web.util.HtmlUtils.htmlEscape;

import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.ClusterProfile;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.lifecycle.ClusterProfiles;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.agent.registry.RegistryReports;
import dev.elasticagents.agent.registry.RegistryReports.AgentEvent;
import dev.elasticagents.agent.registry.RegistryReports.AgentSummary;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The status reports GoCD shows for the plugin, a cluster profile and an agent, as HTML rendered
 * from the registry. Every value is escaped.
 */
@Component
class StatusReports {

  static final int AGENTS_PER_REPORT = 200;
  static final int EVENTS_PER_AGENT = 50;

  private final RegistryReports reports;
  private final AgentRegistry registry;
  private final ClusterProfiles clusterProfiles;
  private final Clock clock;

  StatusReports(
      RegistryReports reports,
      AgentRegistry registry,
      ClusterProfiles clusterProfiles,
      Clock clock) {
    this.reports = reports;
    this.registry = registry;
    this.clusterProfiles = clusterProfiles;
    this.clock = clock;
  }

  /** Live agents per cluster profile and state. */
  String plugin() {
    Map<String, Map<AgentState, Integer>> counts = reports.liveAgentsByClusterProfile();
    StringBuilder html =
        new StringBuilder(
            "<div class=\"elastic-agents-report\"><h3>Elastic agents by cluster profile</h3>");
    if (counts.isEmpty()) {
      return html.append("<p>No agent is running.</p></div>").toString();
    }
    html.append("<table><thead><tr><th>Cluster profile</th>");
    List<AgentState> states =
        List.of(AgentState.PENDING, AgentState.BUSY, AgentState.IDLE, AgentState.TERMINATING);
    states.forEach(state -> html.append("<th>").append(state.name().toLowerCase()).append("</th>"));
    html.append("</tr></thead><tbody>");
    counts.forEach(
        (cluster, byState) -> {
          html.append("<tr><td>").append(htmlEscape(cluster)).append("</td>");
          states.forEach(
              state -> html.append("<td>").append(byState.getOrDefault(state, 0)).append("</td>"));
          html.append("</tr>");
        });
    return html.append("</tbody></table></div>").toString();
  }

  /**
   * The agents of one cluster profile: state, job, age and reason, under the limits the service
   * applies (the operator's ceilings capping what the cluster profile asks for).
   */
  String cluster(Map<String, String> clusterProfileProperties) {
    ClusterProfile cluster = clusterProfiles.effective(clusterProfileProperties);
    ClusterProfile requested = clusterProfiles.requested(clusterProfileProperties);
    List<AgentSummary> agents = reports.agentsOf(cluster.id(), AGENTS_PER_REPORT);
    StringBuilder html =
        new StringBuilder("<div class=\"elastic-agents-report\"><h3>Cluster profile ")
            .append(htmlEscape(cluster.id()))
            .append("</h3><p>At most ")
            .append(cluster.maxRunningAgents())
            .append(" running and ")
            .append(cluster.maxPendingAgents())
            .append(" starting agents; ")
            .append(registry.runningAgents(cluster.id()))
            .append(" running now.</p>");
    if (requested.maxRunningAgents() > cluster.maxRunningAgents()
        || requested.maxPendingAgents() > cluster.maxPendingAgents()) {
      html.append("<p>The cluster profile asks for ")
          .append(requested.maxRunningAgents())
          .append(" running and ")
          .append(requested.maxPendingAgents())
          .append(
              " starting agents; the service's ceilings cap it. Only an approved capacity"
                  + " override goes past them.</p>");
    }
    if (agents.isEmpty()) {
      return html.append("<p>No agents.</p></div>").toString();
    }
    html.append(
        "<table><thead><tr><th>Agent</th><th>State</th><th>Job</th><th>Age</th><th>Reason</th></tr></thead><tbody>");
    Instant now = clock.instant();
    agents.forEach(agent -> html.append(row(agent, now)));
    return html.append("</tbody></table></div>").toString();
  }

  /** One agent and what happened to it; found by its id, or by the job GoCD opened it from. */
  String agent(String agentId, JobIdentifier job) {
    Optional<String> id = agentId.isEmpty() ? registry.agentOf(job) : Optional.of(agentId);
    Optional<AgentSummary> agent = id.flatMap(reports::agent);
    if (agent.isEmpty()) {
      return "<div class=\"elastic-agents-report\"><p>No agent %s is known to the service.</p></div>"
          .formatted(htmlEscape(id.orElse("for this job")));
    }
    StringBuilder html =
        new StringBuilder("<div class=\"elastic-agents-report\"><h3>Agent ")
            .append(htmlEscape(agent.get().id()))
            .append(
                "</h3><table><thead><tr><th>Agent</th><th>State</th><th>Job</th><th>Age</th><th>Reason</th></tr></thead><tbody>")
            .append(row(agent.get(), clock.instant()))
            .append("</tbody></table><h4>Recent events</h4><ol>");
    for (AgentEvent event : reports.eventsOf(agent.get().id(), EVENTS_PER_AGENT)) {
      html.append("<li><time>")
          .append(event.at())
          .append("</time> ")
          .append(htmlEscape(event.what()))
          .append("</li>");
    }
    return html.append("</ol></div>").toString();
  }

  private static String row(AgentSummary agent, Instant now) {
    return "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>"
        .formatted(
            htmlEscape(agent.id()),
            agent.state().name().toLowerCase(),
            htmlEscape(agent.job().orElse("")),
            age(Duration.between(agent.createdAt(), now)),
            htmlEscape(agent.reason().orElse("")));
  }

  static String age(Duration age) {
    if (age.toMinutes() < 1) {
      return Math.max(0, age.toSeconds()) + " s";
    }
    if (age.toHours() < 1) {
      return age.toMinutes() + " min";
    }
    if (age.toDays() < 1) {
      return "%d h %d min".formatted(age.toHours(), age.toMinutesPart());
    }
    return "%d d %d h".formatted(age.toDays(), age.toHoursPart());
  }
}
