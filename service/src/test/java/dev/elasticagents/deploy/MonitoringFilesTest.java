package dev.elasticagents.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The dashboard and the alert rules parse, show and watch what they should, and compose wires
 * Prometheus and Grafana to them. That every metric they read exists is checked against a running
 * service (dev.elasticagents.MonitoredMetricsTest).
 */
class MonitoringFilesTest {

  @Test
  void readsMetricNamesOutOfPromQl() {
    assertThat(
            MonitoringFiles.metricNames(
                "histogram_quantile(0.95, sum by (le, type)"
                    + " (rate(a_seconds_bucket{type=~\"x|y\"}[$__rate_interval]))) / on (type)"
                    + " group_left max without (instance) (b_total offset 5m) > bool 1e3 and c"))
        .containsExactlyInAnyOrder("a_seconds_bucket", "b_total", "c");
    assertThat(MonitoringFiles.metricNames("label_values(elastic_agents_live, cluster_profile)"))
        .containsExactly("elastic_agents_live");
  }

  @Test
  void everyAlertSaysHowSevereItIsAndWhatToDo() {
    List<JsonNode> rules =
        MonitoringFiles.alerts().path("groups").findValues("rules").stream()
            .flatMap(JsonNode::valueStream)
            .toList();

    assertThat(rules)
        .isNotEmpty()
        .allSatisfy(
            rule -> {
              assertThat(rule.path("alert").asText()).matches("[A-Z][A-Za-z]+");
              assertThat(rule.path("expr").asText()).isNotBlank();
              assertThat(rule.path("labels").path("severity").asText()).isIn("critical", "warning");
              assertThat(rule.path("annotations").path("summary").asText()).isNotBlank();
              assertThat(rule.path("annotations").path("description").asText()).isNotBlank();
            });
  }

  @Test
  void alertsWatchWhatAnOperatorMustActOn() {
    assertThat(String.join("\n", MonitoringFiles.alertExpressions()))
        .contains(
            "health_component_up{component=\"cluster\"} == 0",
            "health_component_up{component=\"registry\"} == 0",
            "health_component_up{component=\"clusterCredentials\"} == 0",
            "zeebe_worker_outcome_exhausted_total",
            "elastic_agents_oldest_seconds{state=\"pending\"}",
            "elastic_agents_oldest_seconds{state=\"terminating\"}");
  }

  @Test
  void theDashboardShowsTheServicesOwnMetrics() {
    assertThat(
            MonitoringFiles.dashboardQueries().stream()
                .flatMap(query -> MonitoringFiles.metricNames(query).stream()))
        .contains(
            "zeebe_worker_jobs_total",
            "zeebe_worker_outcome_problems_total",
            "zeebe_worker_outcome_retries_total",
            "zeebe_worker_outcome_exhausted_total",
            "zeebe_worker_outcome_sent_seconds_bucket",
            "elastic_agents_live",
            "elastic_agents_decisions_total",
            "elastic_agents_decisions_batch_size_decisions_count",
            "zeebe_worker_outcomes_in_flight",
            "elastic_agents_terminations_total");
  }

  @Test
  void everyDashboardPanelHasAUniqueIdAndQueriesTheProvisionedDataSource() {
    String provisioned =
        MonitoringFiles.yaml(GRAFANA.resolve("datasources/prometheus.yml"))
            .path("datasources")
            .get(0)
            .path("uid")
            .asText();
    List<JsonNode> panels = MonitoringFiles.dashboard().path("panels").valueStream().toList();
    Set<Integer> ids = new HashSet<>();

    assertThat(panels)
        .isNotEmpty()
        .allSatisfy(panel -> assertThat(ids.add(panel.path("id").asInt())).isTrue());
    assertThat(panels)
        .filteredOn(panel -> !panel.path("type").asText().equals("row"))
        .allSatisfy(
            panel -> {
              assertThat(panel.path("datasource").path("uid").asText()).isEqualTo(provisioned);
              assertThat(panel.path("targets"))
                  .isNotEmpty()
                  .allSatisfy(target -> assertThat(target.path("expr").asText()).isNotBlank());
            });
  }

  @Test
  void prometheusScrapesTheWorkersWhereComposeRunsThem() throws IOException {
    JsonNode scrape =
        MonitoringFiles.yaml(MonitoringFiles.PROMETHEUS).path("scrape_configs").get(0);

    assertThat(scrape.path("job_name").asText()).isEqualTo("elastic-agent-workers");
    assertThat(scrape.path("metrics_path").asText()).isEqualTo("/actuator/prometheus");
    assertThat(scrape.path("static_configs").get(0).path("targets").get(0).asText())
        .isEqualTo("elastic-agent-workers:8081");
    assertThat(ComposeSchemaTest.compose().path("services").has("elastic-agent-workers")).isTrue();
  }

  @Test
  void prometheusLoadsTheAlertRulesWhereComposeMountsThem() throws IOException {
    String ruleFile =
        MonitoringFiles.yaml(MonitoringFiles.PROMETHEUS).path("rule_files").get(0).asText();

    assertThat(mountsOf("prometheus"))
        .contains("./" + MonitoringFiles.ALERTS + ":" + ruleFile + ":ro");
  }

  @Test
  void grafanaLoadsTheDashboardWhereComposeMountsIt() throws IOException {
    String folder =
        MonitoringFiles.yaml(GRAFANA.resolve("dashboards/elastic-agent-workers.yml"))
            .path("providers")
            .get(0)
            .path("options")
            .path("path")
            .asText();

    assertThat(mountsOf("grafana"))
        .contains(
            "./" + MonitoringFiles.DASHBOARD + ":" + folder + "/elastic-agent-workers.json:ro")
        .contains("./" + GRAFANA + ":/etc/grafana/provisioning:ro");
  }

  private static final Path GRAFANA = MonitoringFiles.GRAFANA_PROVISIONING;

  private static List<String> mountsOf(String service) throws IOException {
    return ComposeSchemaTest.compose()
        .path("services")
        .path(service)
        .path("volumes")
        .valueStream()
        .map(JsonNode::asText)
        .toList();
  }
}
