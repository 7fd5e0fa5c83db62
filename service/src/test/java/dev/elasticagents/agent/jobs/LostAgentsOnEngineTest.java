package dev.elasticagents.agent.jobs;

import static dev.elasticagents.testing.InstanceResults.ended;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.Termination;
import dev.elasticagents.agent.TerminationKind;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.testing.EngineLifecycles;
import dev.elasticagents.testing.GoCdServer;
import dev.elasticagents.testing.ZeebeIntegrationTest;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.CamundaFuture;
import io.camunda.client.api.response.ProcessInstanceResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/**
 * No job starves and no agent is held for nothing, on the embedded engine with local agents: a
 * lifecycle whose agent is lost ends and GoCD's next create-agent gets a new agent; a
 * job-completion that never arrives is repaired from GoCD's server-pings (two seconds apart here).
 */
@ZeebeIntegrationTest
class LostAgentsOnEngineTest {

  private static final AtomicInteger JOB_IDS =
      new AtomicInteger((int) (System.currentTimeMillis() % 1_000_000) * 100 + 50);

  @Autowired CamundaClient client;
  @Autowired AgentRegistry registry;

  @Value("${elastic-agents.local.work-directory}")
  Path agents;

  private GoCdServer gocd;
  private final String cluster = "cluster-" + UUID.randomUUID();

  @BeforeEach
  void connectGoCdServer() {
    gocd = new GoCdServer(client);
  }

  @Test
  void aLifecycleWhoseAgentNeverRegistersEndsWithTheReasonAndGoCdsNextCreateAgentGetsANewAgent() {
    Map<String, Object> request = request(Map.of("auto_register_timeout", "PT1S"));
    CamundaFuture<ProcessInstanceResult> lifecycle = gocd.createAgentUntilReleased(request);
    String lost = awaitAgentOf(request);

    pingUntilEnded(lifecycle, Map.of());
    assertThat(ended(lifecycle))
        .containsEntry("elastic_agent_id", lost)
        .containsEntry("agent_lost_reason", "never registered within PT1S");
    gocd.createAgent(request); // GoCD asks again for the job that still waits

    String replacement = awaitNewAgentOf(request, lost);
    assertThat(registry.find(replacement))
        .get()
        .extracting(Agent::state)
        .isEqualTo(AgentState.PENDING);
    assertThat(registry.find(lost)).get().extracting(Agent::state).isEqualTo(AgentState.TERMINATED);
  }

  @Test
  void
      aLifecycleWhoseLocalAgentProcessExitsBeforeRegisteringEndsAndGoCdsNextCreateAgentGetsANewAgent() {
    Map<String, Object> request = request(Map.of());
    CamundaFuture<ProcessInstanceResult> lifecycle = gocd.createAgentUntilReleased(request);
    String lost = awaitAgentOf(request);
    await().until(() -> registry.find(lost).orElseThrow().isLaunched());
    ProcessHandle process = EngineLifecycles.processOf(agents, lost);

    process.destroyForcibly();
    process.onExit().join();

    pingUntilEnded(lifecycle, Map.of());
    assertThat(ended(lifecycle)).containsEntry("agent_lost_reason", "agent is no longer running");
    gocd.createAgent(request);
    assertThat(registry.find(awaitNewAgentOf(request, lost)))
        .get()
        .extracting(Agent::state)
        .isEqualTo(AgentState.PENDING);
  }

  @Test
  void aLifecycleWhoseRegisteredAgentIsTerminatedByAnotherEnds() {
    Map<String, Object> request = request(Map.of());
    CamundaFuture<ProcessInstanceResult> lifecycle = gocd.createAgentUntilReleased(request);
    String agent = awaitAgentOf(request);
    gocd.serverPing(Map.of(agent, "Building"));
    Agent busy =
        await().until(() -> registry.find(agent).orElseThrow(), a -> a.state() == AgentState.BUSY);

    // A termination by anyone but the lifecycle (here a claim as the pod watcher or a replica
    // makes).
    assertThat(
            registry.claimTermination(
                busy, busy.owner(), new Termination(TerminationKind.OTHER, "its pod was evicted")))
        .isTrue();

    Map<String, Object> ended = ended(lifecycle);
    assertThat(ended)
        .containsEntry("agent_lost_reason", "its pod was evicted")
        .doesNotContainKey("completion_decision");
  }

  @Test
  void aJobCompletionThatNeverArrivesIsRepairedFromTwoServerPingsAndTheAgentIsKept() {
    Map<String, Object> request = request(Map.of());
    CamundaFuture<ProcessInstanceResult> lifecycle = gocd.createAgentUntilReleased(request);
    String agent = awaitAgentOf(request);
    gocd.serverPing(Map.of(agent, "Building"));
    await().until(() -> registry.find(agent).orElseThrow().state() == AgentState.BUSY);

    // The build ends; GoCD's job-completion is lost, and GoCD lists the agent idle from now on.
    pingUntilEnded(lifecycle, Map.of(agent, "Idle"));

    assertThat(ended(lifecycle))
        .containsEntry("completion_decision", "KEPT")
        .doesNotContainKey("agent_lost_reason");
    assertThat(registry.find(agent)).get().extracting(Agent::state).isEqualTo(AgentState.IDLE);
  }

  private Map<String, Object> request(Map<String, String> clusterProfile) {
    Map<String, String> clusterProperties = new HashMap<>(clusterProfile);
    clusterProperties.put("id", cluster);
    return GoCdServer.createAgentRequest(
        JOB_IDS.incrementAndGet(), Map.of("image", "gocd-agent"), clusterProperties);
  }

  /** GoCD's server-ping every half second, listing these agents, until the lifecycle ended. */
  private void pingUntilEnded(
      CamundaFuture<ProcessInstanceResult> lifecycle, Map<String, String> buildStateByAgent) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              gocd.serverPing(buildStateByAgent);
              return lifecycle.isDone();
            });
  }

  private String awaitNewAgentOf(Map<String, Object> request, String lost) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> registry.agentOf(GoCdServer.jobOf(request)),
            agent -> agent.filter(id -> !id.equals(lost)).isPresent())
        .orElseThrow();
  }

  private String awaitAgentOf(Map<String, Object> request) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> registry.agentOf(GoCdServer.jobOf(request)), Optional::isPresent)
        .orElseThrow();
  }
}
