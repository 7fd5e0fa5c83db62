package dev.elasticagents;

import static dev.elasticagents.testing.InstanceResults.ended;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.deploy.MonitoringFiles;
import dev.elasticagents.testing.EngineLifecycles;
import dev.elasticagents.testing.RestRecorder;
import dev.elasticagents.testing.ZeebeIntegrationTest;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.CamundaFuture;
import io.camunda.client.api.response.ProcessInstanceResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.boot.test.web.server.LocalManagementPort;

/**
 * Every metric the Grafana dashboard and the Prometheus alert rules read is one the running service
 * exposes, once it has run a lifecycle with a lost completion (its attempts run out, Zeebe
 * redelivers the job, the redelivery replays the decision) and a termination.
 */
@ZeebeIntegrationTest
class MonitoredMetricsTest {

  @Autowired CamundaClient client;
  @Autowired AgentRegistry registry;
  @Autowired RestRecorder rest;
  @Autowired TestRestTemplate http;
  @LocalManagementPort int managementPort;

  @Value("${elastic-agents.local.work-directory}")
  Path agents;

  @AfterEach
  void passEveryCompletion() {
    rest.stopLosingCompletions();
  }

  @Test
  void everyMetricTheDashboardAndTheAlertRulesReadIsExposedOnceTheServiceHasWorked() {
    EngineLifecycles lifecycles = new EngineLifecycles(client, registry, agents);
    Map<String, Object> request = lifecycles.request(Map.of("reuse_agents", "false"), Map.of());
    Set<Long> lost =
        rest.loseFirstDeliveries((jobKey, body) -> body.contains("\"agent_decision\":\"CREATED\""));
    CamundaFuture<ProcessInstanceResult> lifecycle = lifecycles.start(request);
    String agent = lifecycles.awaitAgentOf(request);
    // The agent gauges of a cluster profile appear with the first scrape that finds its agents.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> exposedMetrics().contains("elastic_agents_live"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !lost.isEmpty() && lost.stream().allMatch(rest::wasFailed));
    lifecycles.gocd.jobCompleted(agent, request);
    assertThat(ended(lifecycle)).containsEntry("completion_decision", "TERMINATED");

    Set<String> referenced = new TreeSet<>(MonitoringFiles.referencedMetrics());
    referenced.removeAll(MonitoringFiles.SCRAPE_SERIES);

    assertThat(referenced).isNotEmpty();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(exposedMetrics()).containsAll(referenced));
  }

  /** The names of the series /actuator/prometheus exposes. */
  private Set<String> exposedMetrics() {
    Set<String> names = new TreeSet<>();
    http.getForObject("http://127.0.0.1:" + managementPort + "/actuator/prometheus", String.class)
        .lines()
        .filter(line -> !line.isBlank() && !line.startsWith("#"))
        .map(line -> line.split("[{ ]", 2)[0])
        .forEach(names::add);
    return names;
  }
}
