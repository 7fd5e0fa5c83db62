package dev.elasticagents.gocd.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.thoughtworks.go.plugin.api.response.GoPluginApiResponse;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.gocd.testing.GoCdBody;
import dev.elasticagents.runtime.JobVariables;
import dev.elasticagents.testing.ZeebeIntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A GoCD server's messages, end to end: GoCD's requests into the plugin object, which talks real
 * HTTP to the running service, which runs the lifecycle on the embedded engine. The GoCD server's
 * accessor is mocked.
 */
@ZeebeIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class GoCdEndToEndTest {

  private static final AtomicInteger JOB_IDS = new AtomicInteger(910_000);
  private static final Duration AGENT_DECIDED = Duration.ofSeconds(60);
  private static final Counts COUNTS = new Counts();

  @LocalServerPort int port;
  @Autowired AgentRegistry registry;

  private final MockGoServer gocd = new MockGoServer();
  private final ElasticAgentPlugin plugin = new ElasticAgentPlugin();
  private final String cluster = "gocd-e2e-" + UUID.randomUUID();

  @BeforeEach
  void plugIn() {
    plugin.initializeGoApplicationAccessor(gocd.accessor);
  }

  private final List<Map<String, Object>> jobs = new ArrayList<>();

  /**
   * Counts what the test's requests started: lifecycles (their create-agent decisions) and agents.
   */
  @AfterEach
  void count() {
    for (Map<String, Object> job : jobs) {
      COUNTS.lifecycles.addAndGet(registry.decisionsFor("create-agent", identifier(job)).size());
      registry
          .agentsAssignedTo(identifier(job))
          .forEach(
              agent -> {
                COUNTS.agents.add(agent);
                if (registry.find(agent).orElseThrow().state() == AgentState.TERMINATED) {
                  COUNTS.terminated.add(agent);
                }
              });
    }
  }

  @AfterAll
  static void report() {
    System.out.println("GoCD end to end: " + COUNTS);
  }

  @Test
  void createAgentSentThreeTimesForOneJobStartsOneLifecycleAndLaunchesOneAgent(
      CapturedOutput output) {
    Map<String, Object> job = job();
    String key = "auto-register-" + UUID.randomUUID();
    for (int i = 0; i < 3; i++) {
      assertThat(
              send("create-agent", createAgent(job, key, ZeebeIntegrationTest.GOCD_ENDPOINT_TOKEN))
                  .responseCode())
          .isEqualTo(200);
    }
    String agent = awaitAgentOf(job);
    // A job asked for after the re-sends: once it has its agent, every earlier message was handled.
    awaitAgentOf(sendCreateAgent(job()));

    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(registry.decisionsFor("create-agent", identifier(job)))
                  .as("lifecycles started for the job")
                  .hasSize(1);
              assertThat(registry.agentsAssignedTo(identifier(job))).containsExactly(agent);
            });
    assertThat(output.getAll())
        .doesNotContain(key)
        .doesNotContain(ZeebeIntegrationTest.GOCD_ENDPOINT_TOKEN);
  }

  @Test
  void shouldAssignWorkIsTrueForTheJobsAgentAndFalseForAnotherJob() {
    Map<String, Object> job = sendCreateAgent(job());
    String agent = awaitAgentOf(job);

    assertThat(send("should-assign-work", shouldAssignWork(agent, job)).responseBody())
        .isEqualTo("true");
    assertThat(send("should-assign-work", shouldAssignWork(agent, job())).responseBody())
        .isEqualTo("false");
  }

  @Test
  void jobCompletionTerminatesTheAgentOfAProfileThatDoesNotReuseAgents() {
    Map<String, Object> job = sendCreateAgent(job());
    String agent = awaitAgentOf(job);

    assertThat(send("job-completion", jobCompletion(agent, job)).responseCode()).isEqualTo(200);

    await()
        .atMost(AGENT_DECIDED)
        .until(() -> registry.find(agent).orElseThrow().state() == AgentState.TERMINATED);
  }

  @Test
  void serverPingMakesThePluginDisableThenDeleteExactlyTheAgentsTheServiceReported() {
    Map<String, Object> finished = sendCreateAgent(job());
    String terminated = awaitAgentOf(finished);
    send("job-completion", jobCompletion(terminated, finished));
    await()
        .atMost(AGENT_DECIDED)
        .until(() -> registry.find(terminated).orElseThrow().state() == AgentState.TERMINATED);
    String running = awaitAgentOf(sendCreateAgent(job()));
    String unknown = "GoCD" + UUID.randomUUID().toString().replace("-", "");
    gocd.agents(
        GoCd.agents(
            List.of(
                GoCd.agent(terminated, "Enabled"),
                GoCd.agent(running, "Enabled"),
                GoCd.agent(unknown, "Enabled"))));

    assertThat(
            send(
                    "server-ping",
                    GoCd.serverPing(clusterProfile(ZeebeIntegrationTest.GOCD_ENDPOINT_TOKEN)))
                .responseCode())
        .isEqualTo(200);

    assertThat(gocd.apis())
        .containsSubsequence(GoServer.LIST_AGENTS, GoServer.DISABLE_AGENTS, GoServer.DELETE_AGENTS);
    assertThat(gocd.bodiesOf(GoServer.DISABLE_AGENTS))
        .containsExactly(agentIds(terminated, unknown));
    assertThat(gocd.bodiesOf(GoServer.DELETE_AGENTS))
        .containsExactly(agentIds(terminated, unknown));
    assertThat(registry.find(running).orElseThrow().state()).isNotEqualTo(AgentState.TERMINATED);
  }

  @Test
  void aWrongTokenGets401AndStartsNothing() {
    Map<String, Object> refused = job();

    GoPluginApiResponse answer =
        send(
            "create-agent",
            createAgent(refused, "key-" + UUID.randomUUID(), "a-wrong-token-of-some-length"));

    assertThat(answer.responseCode()).isNotEqualTo(200);
    assertThat(answer.responseCode()).isEqualTo(401);
    assertThat(answer.responseBody())
        .isEqualTo("the service refused the cluster profile's service_token (HTTP 401)");
    awaitAgentOf(sendCreateAgent(job()));
    assertThat(registry.decisionsFor("create-agent", identifier(refused))).isEmpty();
    assertThat(registry.agentOf(identifier(refused))).isEmpty();
  }

  @Test
  void anErrorPageNeverRepeatsTheRequestBody() throws Exception {
    String key = "auto-register-" + UUID.randomUUID();
    HttpResponse<String> answer =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/gocd/v5/no-such-message"))
                    .header("Authorization", "Bearer " + ZeebeIntegrationTest.GOCD_ENDPOINT_TOKEN)
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            GoCdBody.createAgent().withAutoRegisterKey(key).toJson()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(answer.statusCode()).isEqualTo(404);
    assertThat(answer.body()).doesNotContain(key);
  }

  @Test
  void theServicesStatusReportsPassThePluginsSanitiserUnchanged() throws Exception {
    Map<String, Object> job = sendCreateAgent(job());
    String agent = awaitAgentOf(job);
    Map<String, String> profile = clusterProfile(ZeebeIntegrationTest.GOCD_ENDPOINT_TOKEN);
    Map<String, Object> agentReport = new LinkedHashMap<>();
    agentReport.put("cluster_profile_properties", profile);
    agentReport.put("elastic_agent_id", agent);
    agentReport.put("job_identifier", job);

    List<String> views =
        List.of(
            serviceView(
                "cluster-status-report", GoCd.json(Map.of("cluster_profile_properties", profile))),
            serviceView("agent-status-report", GoCd.json(agentReport)),
            serviceView(
                "plugin-status-report",
                GoCd.json(Map.of("all_cluster_profiles_properties", List.of(profile)))));

    assertThat(views.get(0)).contains("<table>", agent);
    assertThat(views.get(1)).contains("<table>", "<ol><li><time>", agent);
    assertThat(views.get(2)).contains("<table>", cluster);
    assertThat(views).allSatisfy(view -> assertThat(HtmlSanitiser.sanitise(view)).isEqualTo(view));
  }

  /** The view the service renders, asked for directly, as the plugin would. */
  private String serviceView(String message, String body) throws Exception {
    HttpResponse<String> answer =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/gocd/v5/" + message))
                    .header("Authorization", "Bearer " + ZeebeIntegrationTest.GOCD_ENDPOINT_TOKEN)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return new ObjectMapper().readTree(answer.body()).get("view").asText();
  }

  private Map<String, Object> sendCreateAgent(Map<String, Object> job) {
    GoPluginApiResponse answer =
        send(
            "create-agent",
            createAgent(job, "key-" + UUID.randomUUID(), ZeebeIntegrationTest.GOCD_ENDPOINT_TOKEN));
    assertThat(answer.responseCode()).as(answer.responseBody()).isEqualTo(200);
    return job;
  }

  private GoPluginApiResponse send(String message, String body) {
    COUNTS.requests.incrementAndGet();
    return GoCd.send(plugin, message, body);
  }

  private String awaitAgentOf(Map<String, Object> job) {
    return await()
        .atMost(AGENT_DECIDED)
        .until(() -> registry.agentOf(identifier(job)), Optional::isPresent)
        .orElseThrow();
  }

  private Map<String, Object> job() {
    Map<String, Object> job = GoCdBody.jobIdentifier(JOB_IDS.incrementAndGet());
    jobs.add(job);
    return job;
  }

  private static JobIdentifier identifier(Map<String, Object> job) {
    return JobIdentifier.read(JobVariables.of(job));
  }

  private Map<String, String> clusterProfile(String token) {
    Map<String, String> profile = new LinkedHashMap<>();
    profile.put("service_url", "http://127.0.0.1:" + port);
    profile.put("service_token", token);
    profile.put("allow_insecure_http", "true");
    profile.put("id", cluster);
    profile.put("max_running_agents", "10");
    return profile;
  }

  /** A body of GoCD's about {@code job}, for this test's profiles. */
  private GoCdBody about(GoCdBody body, Map<String, Object> job, String token) {
    return body.withJobIdentifier(job)
        .withElasticAgentProfile(
            Map.of("image", "gocd/gocd-agent-ubuntu-24.04:v25.3.0", "reuse_agents", "false"))
        .withClusterProfile(clusterProfile(token));
  }

  private String createAgent(Map<String, Object> job, String key, String token) {
    return about(GoCdBody.createAgent(), job, token).withAutoRegisterKey(key).toJson();
  }

  private String shouldAssignWork(String agent, Map<String, Object> job) {
    return about(GoCdBody.shouldAssignWork(), job, ZeebeIntegrationTest.GOCD_ENDPOINT_TOKEN)
        .with("agent.agent_id", agent)
        .toJson();
  }

  private String jobCompletion(String agent, Map<String, Object> job) {
    return about(GoCdBody.jobCompletion(), job, ZeebeIntegrationTest.GOCD_ENDPOINT_TOKEN)
        .withElasticAgentId(agent)
        .toJson();
  }

  private static String agentIds(String... ids) {
    return GoCd.json(Arrays.stream(ids).map(id -> Map.of("agent_id", id)).toList());
  }

  /** What the end-to-end tests sent and what came of it, for the run's report. */
  private static final class Counts {
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger lifecycles = new AtomicInteger();
    final Set<String> agents = ConcurrentHashMap.newKeySet();
    final Set<String> terminated = ConcurrentHashMap.newKeySet();

    @Override
    public String toString() {
      return "%d requests sent through the plugin, %d lifecycles started, %d agents created, %d terminated"
          .formatted(requests.get(), lifecycles.get(), agents.size(), terminated.size());
    }
  }
}
