package dev.elasticagents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What the actuator tells a caller nobody authenticated, with the service's own settings: the
 * status, never the components and details that name database URLs and cluster addresses.
 */
class HealthExposureTest {

  private static ConfigurableApplicationContext service;
  private static URI address;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    service =
        new SpringApplicationBuilder(ElasticAgentWorkersApplication.class)
            .run(
                "--server.port=0",
                "--management.server.port=0",
                "--server.address=127.0.0.1",
                "--spring.datasource.url=jdbc:h2:mem:health-exposure;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
                "--job-workers.enabled=false",
                "--deployment.enabled=false",
                "--camunda.client.grpc-address=http://127.0.0.1:9",
                "--camunda.client.rest-address=http://127.0.0.1:9",
                "--elastic-agents.local.work-directory=target/health-exposure-agents");
    address =
        URI.create(
            "http://127.0.0.1:" + service.getEnvironment().getProperty("local.management.port"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void healthShowsAnAnonymousCallerTheStatusWithoutComponents() throws Exception {
    JsonNode health = get("/actuator/health");

    assertThat(health.properties())
        .extracting(Map.Entry::getKey)
        .contains("status")
        .doesNotContain("components", "details");
  }

  @Test
  void readinessShowsAnAnonymousCallerTheStatusAlone() throws Exception {
    JsonNode readiness = get("/actuator/health/readiness");

    assertThat(readiness.properties()).extracting(Map.Entry::getKey).containsExactly("status");
  }

  @Test
  void theActuatorExposesHealthInfoAndPrometheusOnly() throws Exception {
    List<String> endpoints =
        get("/actuator").path("_links").properties().stream().map(Map.Entry::getKey).toList();

    assertThat(endpoints)
        .containsExactlyInAnyOrder("self", "health", "health-path", "info", "prometheus");
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(address.resolve(path)).timeout(Duration.ofSeconds(20)).build(),
            HttpResponse.BodyHandlers.ofString());
    return new ObjectMapper().readTree(response.body());
  }
}
