package dev.elasticagents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.elasticagents.testing.ZeebeIntegrationTest;
import io.camunda.client.CamundaClient;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

@ZeebeIntegrationTest
class ActuatorTest {

  @Autowired TestRestTemplate http;
  @Autowired CamundaClient client;
  @LocalManagementPort int managementPort;

  @Test
  void healthReportsTheClusterConnection() {
    ResponseEntity<Map<String, Object>> health = get("/actuator/health");

    assertThat(health.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(health.getBody()).containsEntry("status", "UP");
    assertThat(health.getBody()).extractingByKey("components").asString().contains("cluster");
  }

  @Test
  void readinessIsUpWhileTheRegistryAndTheClusterAnswerAndTheModelsAreDeployed() {
    ResponseEntity<Map<String, Object>> readiness = get("/actuator/health/readiness");

    assertThat(readiness.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(readiness.getBody())
        .extractingByKey("components")
        .asInstanceOf(InstanceOfAssertFactories.MAP)
        .containsOnlyKeys("readinessState", "registry", "cluster", "deployment");
  }

  @Test
  void livenessDependsOnNothingOutsideTheProcess() {
    ResponseEntity<Map<String, Object>> liveness = get("/actuator/health/liveness");

    assertThat(liveness.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(liveness.getBody())
        .extractingByKey("components")
        .asInstanceOf(InstanceOfAssertFactories.MAP)
        .containsOnlyKeys("livenessState");
  }

  @Test
  void prometheusExposesTheWorkerMetrics() {
    client
        .newCreateInstanceCommand()
        .bpmnProcessId("elastic-agent-lifecycle")
        .latestVersion()
        .variables(Map.of("auto_register_key", "k", "environment", "production"))
        .send()
        .join();

    // The worker handles the job after the instance was created.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(http.getForObject(management("/actuator/prometheus"), String.class))
                    .containsPattern(
                        "zeebe_worker_jobs_total\\{[^}]*outcome=\"complete\"[^}]*type=\"create-agent\"")
                    .containsPattern(
                        "zeebe_worker_outcome_sent_seconds_count\\{[^}]*outcome=\"complete\",status=\"204\",type=\"create-agent\""));
  }

  @Test
  void theGoCdFacingPortAnswersNoActuatorEndpoint() {
    for (String path : new String[] {"/actuator", "/actuator/health", "/actuator/prometheus"}) {
      assertThat(http.getForEntity(path, String.class).getStatusCode())
          .as(path)
          .isEqualTo(HttpStatus.NOT_FOUND);
    }
  }

  /** The actuator answers on the management port, never on the GoCD-facing one. */
  private String management(String path) {
    return "http://127.0.0.1:" + managementPort + path;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private ResponseEntity<Map<String, Object>> get(String path) {
    return (ResponseEntity) http.getForEntity(management(path), Map.class);
  }
}
