package dev.elasticagents.agent.jobs;

import static dev.elasticagents.testing.InstanceResults.ended;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.testing.EngineLifecycles;
import dev.elasticagents.testing.GoCdServer;
import dev.elasticagents.testing.ZeebeIntegrationTest;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.CamundaFuture;
import io.camunda.client.api.response.ProcessInstanceResult;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/**
 * The elastic agent lifecycle end to end: GoCD request bodies into the embedded engine, agents as
 * local processes, GoCD's job-completed and server-ping as messages.
 */
@ZeebeIntegrationTest
class ElasticAgentLifecycleTest {

  private static final AtomicInteger JOB_IDS =
      new AtomicInteger((int) (System.currentTimeMillis() % 1_000_000) * 100);

  @Autowired CamundaClient client;
  @Autowired AgentRegistry registry;
  private GoCdServer gocd;

  @Value("${elastic-agents.local.work-directory}")
  Path agents;

  private final String cluster = "cluster-" + UUID.randomUUID();

  @BeforeEach
  void connectGoCdServer() {
    gocd = new GoCdServer(client);
  }

  @Test
  void launchesAnAgentKeepsItAfterItsJobAndReusesItForTheNextJob() throws IOException {
    Map<String, Object> first = request(Map.of(), Map.of());
    CamundaFuture<ProcessInstanceResult> lifecycle = start(first);
    String agent = awaitAgentOf(first);

    Properties autoRegister = autoRegisterPropertiesOf(agent);
    assertThat(autoRegister)
        .containsEntry("agent.auto.register.key", first.get("auto_register_key"))
        .containsEntry("agent.auto.register.environments", "production")
        .containsEntry("agent.auto.register.elasticAgent.agentId", agent)
        .containsEntry("agent.auto.register.elasticAgent.pluginId", "dev.elasticagents.zeebe")
        .containsEntry("agent.auto.register.hostname", agent)
        .doesNotContainKey("agent.auto.register.resources");
    assertThat(isRunning(agent)).isTrue();

    jobCompleted(agent, first);
    Map<String, Object> completed = ended(lifecycle);
    assertThat(completed)
        .containsEntry("agent_decision", "CREATED")
        .containsEntry("completion_decision", "KEPT");
    assertThat(registry.find(agent)).get().extracting(Agent::state).isEqualTo(AgentState.IDLE);

    Map<String, Object> second = request(Map.of(), Map.of());
    CamundaFuture<ProcessInstanceResult> next = start(second);
    assertThat(awaitAgentOf(second)).isEqualTo(agent);
    jobCompleted(agent, second);
    assertThat(ended(next)).containsEntry("agent_decision", "REUSED");
  }

  @Test
  void terminatesTheAgentOfAProfileThatDoesNotReuseAgents() {
    Map<String, Object> request = request(Map.of("reuse_agents", "false"), Map.of());
    CamundaFuture<ProcessInstanceResult> lifecycle = start(request);
    String agent = awaitAgentOf(request);
    ProcessHandle process = processOf(agent);

    jobCompleted(agent, request);

    assertThat(ended(lifecycle)).containsEntry("completion_decision", "TERMINATED");
    assertThat(process.isAlive()).isFalse();
    assertThat(agents.resolve(agent)).doesNotExist();
    assertThat(registry.find(agent))
        .get()
        .extracting(Agent::state)
        .isEqualTo(AgentState.TERMINATED);
  }

  @Test
  void aReSentRequestForTheSameJobGetsTheSameAgent() {
    Map<String, Object> request = request(Map.of(), Map.of());
    CamundaFuture<ProcessInstanceResult> original = start(request);
    String agent = awaitAgentOf(request);

    Map<String, Object> duplicate = ended(start(request));

    assertThat(duplicate)
        .containsEntry("agent_decision", "ALREADY_CREATED")
        .containsEntry("elastic_agent_id", agent);
    jobCompleted(agent, request);
    ended(original);
  }

  @Test
  void aDeclinedRequestWaitsAndGetsAnAgentOnceCapacityFrees() {
    Map<String, String> oneAgent = Map.of("max_running_agents", "1");
    Map<String, Object> first = request(Map.of("reuse_agents", "false"), oneAgent);
    CamundaFuture<ProcessInstanceResult> firstLifecycle = start(first);
    String firstAgent = awaitAgentOf(first);
    Map<String, Object> second = request(Map.of("reuse_agents", "false"), oneAgent);
    CamundaFuture<ProcessInstanceResult> secondLifecycle = start(second);

    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> registry.agentOf(GoCdServer.jobOf(second)).isEmpty());
    jobCompleted(firstAgent, first);
    ended(firstLifecycle);
    String secondAgent = awaitAgentOf(second);
    jobCompleted(secondAgent, second);

    assertThat(secondAgent).isNotEqualTo(firstAgent);
    assertThat(ended(secondLifecycle)).containsEntry("agent_decision", "CREATED");
  }

  @Test
  void serverPingCleansUpAgentsThatNeverRegisteredOrStayedIdleTooLong() {
    Map<String, Object> unregistered = request(Map.of(), Map.of("auto_register_timeout", "PT1S"));
    start(unregistered);
    String leaked = awaitAgentOf(unregistered);
    Map<String, Object> idle = request(Map.of("image", "idle"), Map.of("idle_timeout", "PT1S"));
    CamundaFuture<ProcessInstanceResult> idleLifecycle = start(idle);
    String idleAgent = awaitAgentOf(idle);
    jobCompleted(idleAgent, idle);
    ended(idleLifecycle);
    ProcessHandle leakedProcess = processOf(leaked);
    ProcessHandle idleProcess = processOf(idleAgent);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              serverPing(List.of(idleAgent));
              assertThat(registry.find(leaked))
                  .get()
                  .extracting(Agent::state)
                  .isEqualTo(AgentState.TERMINATED);
              assertThat(registry.find(idleAgent))
                  .get()
                  .extracting(Agent::state)
                  .isEqualTo(AgentState.TERMINATED);
            });
    assertThat(leakedProcess.isAlive()).isFalse();
    assertThat(idleProcess.isAlive()).isFalse();
  }

  private Map<String, Object> request(
      Map<String, String> profile, Map<String, String> clusterProfile) {
    Map<String, String> profileProperties =
        new HashMap<>(Map.of("image", "gocd-agent", "memory", "2048"));
    profileProperties.putAll(profile);
    Map<String, String> clusterProperties = new HashMap<>(clusterProfile);
    clusterProperties.put("id", cluster);
    return GoCdServer.createAgentRequest(
        JOB_IDS.incrementAndGet(), profileProperties, clusterProperties);
  }

  private CamundaFuture<ProcessInstanceResult> start(Map<String, Object> request) {
    return gocd.createAgentUntilReleased(request);
  }

  private String awaitAgentOf(Map<String, Object> request) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> registry.agentOf(GoCdServer.jobOf(request)), Optional::isPresent)
        .orElseThrow();
  }

  private void jobCompleted(String agent, Map<String, Object> request) {
    gocd.jobCompleted(agent, request);
  }

  private void serverPing(List<String> knownAgents) {
    gocd.serverPing(knownAgents);
  }

  private Properties autoRegisterPropertiesOf(String agent) throws IOException {
    Properties properties = new Properties();
    try (Reader reader =
        Files.newBufferedReader(agents.resolve(agent).resolve("config/autoregister.properties"))) {
      properties.load(reader);
    }
    return properties;
  }

  private boolean isRunning(String agent) {
    return processOf(agent).isAlive();
  }

  private ProcessHandle processOf(String agent) {
    return EngineLifecycles.processOf(agents, agent);
  }
}
