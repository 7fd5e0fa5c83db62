package dev.elasticagents.agent.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.gocd.testing.GoCdBody;
import dev.elasticagents.testing.RestRecorder;
import dev.elasticagents.testing.ZeebeIntegrationTest;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.command.ProblemException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The create-agent worker on the embedded engine: activated over gRPC, answered over REST. */
@ZeebeIntegrationTest
class CreateAgentJobTest {

  private static final Pattern JOB_PATH = Pattern.compile("/v2/jobs/(-?\\d+)/(completion|failure)");
  private static final String PROCESS = "elastic-agent-lifecycle";

  @Autowired CamundaClient client;
  @Autowired RestRecorder rest;
  @Autowired AgentRegistry registry;
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void completesTheSeedRequestOverRestWithTheRealJobKey() throws IOException {
    Map<String, Object> body = GoCdBody.createAgentV1().toMap();
    AgentProfile profile = uniqueProfile(body);
    start(body);

    String agentId = awaitAgentOf(profile);

    ServeEvent completion = onlyExchange("completion", request -> request.contains(agentId));
    long jobKey = jobKey(completion);
    assertThat(jobKey).isPositive();
    // Zeebe keys carry their partition in the top bits: a real job key of partition 1.
    assertThat(jobKey >> 51).isEqualTo(1);
    assertThat(completion.getRequest().getMethod().getName()).isEqualTo("POST");
    assertThat(completion.getResponse().getStatus()).isEqualTo(204);
    JsonNode variables = json.readTree(completion.getRequest().getBodyAsString()).path("variables");
    assertThat(variables.path("agent_decision").asText()).isEqualTo("CREATED");
    assertThat(variables.path("elastic_agent_id").asText()).isEqualTo(agentId);
    assertThat(completion.getRequest().getBodyAsString())
        .doesNotContain("1e0e05fc-eb45-11e5-bc83-93882adfccf6");
  }

  @Test
  void failsAJobWithMalformedVariablesIntoAnIncidentWithAReadableMessage() throws IOException {
    Instant start = Instant.now();
    start(
        GoCdBody.createAgentV1()
            .without("auto_register_key")
            .with("properties", List.of("ami-c79d704a"))
            .toMap());

    ServeEvent failure =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    exchanges("failure", body -> body.contains("auto_register_key")).stream()
                        .filter(
                            event -> !event.getRequest().getLoggedDate().before(Date.from(start)))
                        .findFirst(),
                Optional::isPresent)
            .orElseThrow();

    JsonNode body = json.readTree(failure.getRequest().getBodyAsString());
    assertThat(body.path("retries").asInt(-1)).isZero();
    assertThat(body.path("errorMessage").asText())
        .contains("'auto_register_key' is required")
        .contains("'properties' must be an object of string values, but is an array");
    assertThat(failure.getResponse().getStatus()).isEqualTo(204);

    // The job is now failed without retries: the engine refuses to complete it (an incident).
    assertThatThrownBy(() -> completeOverRest(jobKey(failure)))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e -> {
              assertThat(e.code()).isEqualTo(409);
              assertThat(e.details().getDetail()).contains("FAILED");
            });
  }

  @Test
  void keepsWorkingAfterAMalformedJob() {
    start(GoCdBody.createAgentV1().with("auto_register_key", 12345).toMap());
    Map<String, Object> body = GoCdBody.createAgentV1().toMap();
    AgentProfile profile = uniqueProfile(body);

    start(body);

    assertThat(awaitAgentOf(profile)).matches("gocd-[0-9a-f]{32}");
  }

  private void start(Map<String, Object> variables) {
    client
        .newCreateInstanceCommand()
        .bpmnProcessId(PROCESS)
        .latestVersion()
        .variables(variables)
        .send()
        .join();
  }

  // A profile property of its own makes this test's agent the only one of its profile.
  @SuppressWarnings("unchecked")
  private static AgentProfile uniqueProfile(Map<String, Object> body) {
    Map<String, String> properties =
        new java.util.HashMap<>((Map<String, String>) body.get("properties"));
    properties.put("test", UUID.randomUUID().toString());
    body.put("properties", properties);
    return new AgentProfile((String) body.get("environment"), properties, true);
  }

  private String awaitAgentOf(AgentProfile profile) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                registry.live().stream()
                    .filter(agent -> agent.profileKey().equals(profile.key()))
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow()
        .id();
  }

  @SuppressWarnings("deprecation")
  private void completeOverRest(long jobKey) {
    client.newCompleteCommand(jobKey).useRest().send().join();
  }

  // The proxy journals an exchange after it answered, so the journal may trail the engine a bit.
  private ServeEvent onlyExchange(String action, Predicate<String> body) {
    List<ServeEvent> matching =
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> exchanges(action, body), found -> !found.isEmpty());
    assertThat(matching).hasSize(1);
    return matching.getFirst();
  }

  private List<ServeEvent> exchanges(String action, Predicate<String> body) {
    return rest.exchanges(
        event -> {
          Matcher path = JOB_PATH.matcher(event.getRequest().getUrl());
          return path.matches()
              && path.group(2).equals(action)
              && body.test(event.getRequest().getBodyAsString());
        });
  }

  private static long jobKey(ServeEvent event) {
    Matcher path = JOB_PATH.matcher(event.getRequest().getUrl());
    assertThat(path.matches()).isTrue();
    return Long.parseLong(path.group(1));
  }
}
