package dev.elasticagents.agent.jobs;

import static dev.elasticagents.testing.InstanceResults.ended;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.testing.EngineLifecycles;
import dev.elasticagents.testing.GoCdServer;
import dev.elasticagents.testing.HeldFailures;
import dev.elasticagents.testing.RestRecorder;
import dev.elasticagents.testing.ZeebeIntegrationTest;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.CamundaFuture;
import io.camunda.client.api.response.ProcessInstanceResult;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/**
 * Jobs whose completions are lost, on the embedded engine: the service's attempts run out, it fails
 * the job, Zeebe redelivers it, and the redelivery replays the recorded decision. The lifecycle
 * still waits for its job to complete, and no agent is leaked or given to two jobs.
 */
@ZeebeIntegrationTest
class LifecycleRedeliveryTest {

  @Autowired CamundaClient client;
  @Autowired AgentRegistry registry;
  @Autowired RestRecorder rest;
  @Autowired MeterRegistry meters;

  @Value("${elastic-agents.local.work-directory}")
  Path agents;

  private EngineLifecycles lifecycles;

  @BeforeEach
  void connect() {
    lifecycles = new EngineLifecycles(client, registry, agents);
  }

  @AfterEach
  void passEveryCompletion() {
    rest.stopLosingCompletions();
  }

  @Test
  void aCreateAgentJobWhoseCompletionIsLostIsRedeliveredAndItsLifecycleStillReleasesTheAgent() {
    Map<String, Object> request = lifecycles.request(Map.of("reuse_agents", "false"), Map.of());
    Set<Long> lostJobs =
        rest.loseFirstDeliveries((jobKey, body) -> body.contains("\"agent_decision\":\"CREATED\""));
    double replayedBefore = replayed("create-agent");

    CamundaFuture<ProcessInstanceResult> lifecycle = lifecycles.start(request);
    String agent = lifecycles.awaitAgentOf(request);
    awaitCompletedOnRedelivery(lostJobs);

    assertStillWaiting(lifecycle);
    ProcessHandle process = lifecycles.processOf(agent);
    lifecycles.gocd.jobCompleted(agent, request);
    Map<String, Object> ended = ended(lifecycle);
    assertThat(lostJobs).hasSize(1).allMatch(rest::wasFailed);
    assertThat(replayed("create-agent")).isEqualTo(replayedBefore + 1);
    assertThat(ended)
        .containsEntry("agent_decision", "CREATED")
        .containsEntry("elastic_agent_id", agent)
        .containsEntry("completion_decision", "TERMINATED")
        .containsEntry("auto_register_key", null);
    assertThat(registry.agentsAssignedTo(GoCdServer.jobOf(request))).containsExactly(agent);
    assertThat(lifecycles.state(agent)).isEqualTo(AgentState.TERMINATED);
    assertThat(process.isAlive()).isFalse();
    assertThat(agents.resolve(agent)).doesNotExist();
  }

  @Test
  void aReusingCreateAgentJobWhoseCompletionIsLostStillWaitsForItsJobAndReleasesTheAgent() {
    Map<String, Object> first = lifecycles.request(Map.of(), Map.of());
    CamundaFuture<ProcessInstanceResult> firstLifecycle = lifecycles.start(first);
    String agent = lifecycles.awaitAgentOf(first);
    lifecycles.gocd.jobCompleted(agent, first);
    assertThat(ended(firstLifecycle)).containsEntry("completion_decision", "KEPT");
    Set<Long> lostJobs =
        rest.loseFirstDeliveries((jobKey, body) -> body.contains("\"agent_decision\":\"REUSED\""));

    Map<String, Object> second = lifecycles.request(Map.of(), Map.of());
    CamundaFuture<ProcessInstanceResult> secondLifecycle = lifecycles.start(second);
    awaitCompletedOnRedelivery(lostJobs);

    assertStillWaiting(secondLifecycle);
    lifecycles.gocd.jobCompleted(agent, second);
    assertThat(ended(secondLifecycle))
        .containsEntry("agent_decision", "REUSED")
        .containsEntry("elastic_agent_id", agent)
        .containsEntry("completion_decision", "KEPT")
        .containsEntry("auto_register_key", null);
    assertThat(registry.agentsAssignedTo(GoCdServer.jobOf(second))).containsExactly(agent);
    assertThat(lifecycles.state(agent)).isEqualTo(AgentState.IDLE);
  }

  @Test
  void aJobCompletionRedeliveredAfterItsAgentWentToTheNextJobReplaysAndLeavesTheAgentToThatJob()
      throws Exception {
    Map<String, Object> first = lifecycles.request(Map.of(), Map.of());
    CamundaFuture<ProcessInstanceResult> firstLifecycle = lifecycles.start(first);
    String agent = lifecycles.awaitAgentOf(first);
    Set<Long> lostJobs =
        rest.loseFirstDeliveries(
            (jobKey, body) -> body.contains("\"completion_decision\":\"KEPT\""));
    HeldFailures failures = rest.holdFailures();
    double replayedBefore = replayed("job-completion");

    lifecycles.gocd.jobCompleted(agent, first);
    failures.awaitHeld(Duration.ofSeconds(30));
    Map<String, Object> second = lifecycles.request(Map.of(), Map.of());
    CamundaFuture<ProcessInstanceResult> secondLifecycle = lifecycles.start(second);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> registry.agentOf(GoCdServer.jobOf(second)).isPresent());
    failures.release();
    rest.stopLosingCompletions();

    assertThat(ended(firstLifecycle)).containsEntry("completion_decision", "KEPT");
    assertThat(lostJobs).hasSize(1).allMatch(rest::wasFailed);
    assertThat(replayed("job-completion")).isEqualTo(replayedBefore + 1);
    Agent serving = registry.find(agent).orElseThrow();
    assertThat(serving.state()).isEqualTo(AgentState.BUSY);
    assertThat(serving.jobKey()).contains(String.valueOf(GoCdServer.jobOf(second).jobId()));
    lifecycles.gocd.jobCompleted(agent, second);
    assertThat(ended(secondLifecycle))
        .containsEntry("agent_decision", "REUSED")
        .containsEntry("completion_decision", "KEPT");
  }

  /** Waits until a job whose first delivery was lost was completed when Zeebe redelivered it. */
  private void awaitCompletedOnRedelivery(Set<Long> lostJobs) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                rest.exchanges(
                        event ->
                            isCompletionOf(event, lostJobs)
                                && event.getResponse().getStatus() == 204)
                    .size(),
            completed -> completed == 1);
  }

  private static boolean isCompletionOf(ServeEvent event, Set<Long> jobs) {
    return jobs.stream()
        .anyMatch(job -> event.getRequest().getUrl().equals("/v2/jobs/" + job + "/completion"));
  }

  /** Before this fix, a redelivered job ended its lifecycle as a duplicate right here. */
  private static void assertStillWaiting(CamundaFuture<ProcessInstanceResult> lifecycle) {
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !lifecycle.isDone());
  }

  private double replayed(String type) {
    return meters.counter("elastic.agents.decisions.replayed", "type", type).count();
  }
}
