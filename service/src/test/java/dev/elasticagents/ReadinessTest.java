package dev.elasticagents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.elasticagents.engine.EmbeddedEngine;
import dev.elasticagents.testing.SharedEngine;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Readiness follows what the service depends on, liveness does not: a service waiting for its
 * registry or its cluster is taken out of traffic, never restarted for it.
 */
class ReadinessTest {

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> started = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : started.reversed()) {
      closeable.close();
    }
  }

  @Test
  void readinessIsDownWithTheReasonWhileTheRegistryIsUnreachable() throws Exception {
    EmbeddedPostgres postgres =
        EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1").start();
    started.add(postgres);
    EmbeddedEngine engine = SharedEngine.get();
    URI service =
        start(
            postgres.getJdbcUrl("postgres", "postgres"),
            engine.grpcAddress(),
            engine.restAddress());
    assertThat(get(service, "/actuator/health/readiness").statusCode()).isEqualTo(200);

    postgres.close();

    HttpResponse<String> readiness =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> get(service, "/actuator/health/readiness"), r -> r.statusCode() == 503);
    JsonNode registry = json(readiness).path("components").path("registry");
    assertThat(registry.path("status").asText()).isEqualTo("DOWN");
    assertThat(registry.path("details").path("reason").asText())
        .startsWith(
            "Cannot reach the registry at "
                + postgres.getJdbcUrl("postgres", "postgres").split("\\?")[0]);
    assertThat(json(readiness).path("components").path("cluster").path("status").asText())
        .isEqualTo("UP");
    assertThat(get(service, "/actuator/health/liveness").statusCode()).isEqualTo(200);
  }

  @Test
  void readinessIsDownWithTheReasonWhileTheClusterIsUnreachable() throws Exception {
    URI nowhere = URI.create("http://127.0.0.1:9");
    URI service =
        start(
            "jdbc:h2:mem:readiness;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
            nowhere,
            nowhere);

    HttpResponse<String> readiness = get(service, "/actuator/health/readiness");

    assertThat(readiness.statusCode()).isEqualTo(503);
    JsonNode cluster = json(readiness).path("components").path("cluster");
    assertThat(cluster.path("status").asText()).isEqualTo("DOWN");
    assertThat(cluster.path("details").path("reason").asText())
        .startsWith("Cannot reach the cluster at http://127.0.0.1:9");
    assertThat(json(readiness).path("components").path("registry").path("status").asText())
        .isEqualTo("UP");
    assertThat(get(service, "/actuator/health/liveness").statusCode()).isEqualTo(200);
  }

  @Test
  void aServiceStartedWhileTheClusterIsDownStaysUpUnreadyAndDeploysItsModelsWhenItComesBack()
      throws Exception {
    EmbeddedEngine engine = EmbeddedEngine.start();
    started.add(engine);
    engine.answerUnavailable();

    URI service =
        start(
            "jdbc:h2:mem:deploy-later;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
            engine.grpcAddress(),
            engine.restAddress(),
            "--deployment.enabled=true",
            "--deployment.timeout=PT1S");

    HttpResponse<String> waiting = get(service, "/actuator/health/readiness");
    assertThat(waiting.statusCode()).isEqualTo(503);
    JsonNode deployment = json(waiting).path("components").path("deployment");
    assertThat(deployment.path("status").asText()).isEqualTo("DOWN");
    assertThat(deployment.path("details").path("reason").asText()).startsWith("Could not ");
    assertThat(get(service, "/actuator/health/liveness").statusCode()).isEqualTo(200);

    engine.recover();

    HttpResponse<String> ready =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> get(service, "/actuator/health/readiness"), r -> r.statusCode() == 200);
    assertThat(json(ready).path("components").path("deployment").path("details").path("models"))
        .asString()
        .contains("elastic-agent-lifecycle");
  }

  private URI start(String database, URI grpc, URI rest, String... more) {
    List<String> arguments =
        new ArrayList<>(
            List.of(
                "--server.port=0",
                "--management.server.port=0",
                "--server.address=127.0.0.1",
                "--management.endpoint.health.show-details=always",
                "--spring.datasource.url=" + database,
                "--spring.datasource.username="
                    + (database.startsWith("jdbc:postgresql") ? "postgres" : "sa"),
                "--spring.datasource.password=",
                "--job-workers.enabled=false",
                "--deployment.enabled=false",
                "--camunda.client.grpc-address=" + grpc,
                "--camunda.client.rest-address=" + rest,
                "--elastic-agents.local.work-directory=target/readiness-agents"));
    for (String argument : more) {
      // An argument given twice would bind as both values joined: the later one replaces it.
      String key = argument.substring(0, argument.indexOf('=') + 1);
      arguments.removeIf(existing -> existing.startsWith(key));
      arguments.add(argument);
    }
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(ElasticAgentWorkersApplication.class)
            .run(arguments.toArray(String[]::new));
    started.add(context::close);
    return URI.create(
        "http://127.0.0.1:" + context.getEnvironment().getProperty("local.management.port"));
  }

  private HttpResponse<String> get(URI service, String path)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(service.resolve(path)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    return new ObjectMapper().readTree(response.body());
  }
}
