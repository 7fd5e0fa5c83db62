package dev.elasticagents.agent.jobs;

import static dev.elasticagents.testing.InstanceResults.ended;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.DecisionOutcome;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.testing.EngineLifecycles;
import dev.elasticagents.testing.GoCdServer;
import dev.elasticagents.testing.SharedEngine;
import dev.elasticagents.testing.ZeebeIntegrationTest;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.CamundaFuture;
import io.camunda.client.api.response.ProcessInstanceResult;
import io.camunda.zeebe.protocol.record.intent.TimerIntent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/**
 * A lifecycle instance lives only as long as its GoCD job needs it, on the engine: one per job
 * however often GoCD asks, ended when the build overruns, ended after a bounded number of declines,
 * and waiting only for its own job's completion.
 */
@ZeebeIntegrationTest
class LifecycleBoundsTest {

  @Autowired CamundaClient client;
  @Autowired AgentRegistry registry;

  @Value("${elastic-agents.local.work-directory}")
  Path agents;

  private EngineLifecycles lifecycles;

  @BeforeEach
  void connect() {
    lifecycles = new EngineLifecycles(client, registry, agents);
  }

  @Test
  void goCdAskingAgainAndAgainForAWaitingJobStartsNothingWhileItsLifecycleRuns() {
    Map<String, Object> request = lifecycles.request(Map.of(), Map.of());

    lifecycles.gocd.createAgent(request);
    String agent = lifecycles.awaitAgentOf(request);
    lifecycles.gocd.createAgent(request);
    lifecycles.gocd.createAgent(request);

    JobIdentifier job = GoCdServer.jobOf(request);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(3))
        .until(
            () -> registry.decisionsFor("create-agent", job),
            decisions -> decisions.equals(List.of(DecisionOutcome.CREATED)));
    assertThat(registry.agentsAssignedTo(job)).containsExactly(agent);
    lifecycles.gocd.jobCompleted(agent, request);
    await().atMost(Duration.ofSeconds(10)).until(() -> lifecycles.state(agent) == AgentState.IDLE);
  }

  @Test
  void aJobThatRunsPastItsMaximumBuildDurationLosesItsAgentAndItsLifecycleEnds() {
    Map<String, Object> request =
        lifecycles.request(Map.of(), Map.of("max_build_duration", "PT3H"));

    CamundaFuture<ProcessInstanceResult> lifecycle = lifecycles.start(request);
    String agent = lifecycles.awaitAgentOf(request);
    ProcessHandle process = lifecycles.processOf(agent);
    // The build overruns on the engine's clock: its timer fires, nothing here waits three hours.
    Instant threeHoursFromNow = Instant.now().plus(Duration.ofHours(3));
    await().atMost(Duration.ofSeconds(10)).until(() -> buildTimerDueAround(threeHoursFromNow));
    SharedEngine.get().increaseTime(Duration.ofHours(3));

    assertThat(ended(lifecycle))
        .containsEntry("completion_decision", "TERMINATED")
        .containsEntry(
            "completion_reason", "its job ran longer than the maximum build duration of PT3H");
    assertThat(lifecycles.state(agent)).isEqualTo(AgentState.TERMINATED);
    assertThat(process.isAlive()).isFalse();
  }

  /** Whether a maximum build duration timer due within a minute of {@code due} waits. */
  private static boolean buildTimerDueAround(Instant due) {
    return StreamSupport.stream(SharedEngine.get().records().timerRecords().spliterator(), false)
        .filter(timer -> timer.getIntent() == TimerIntent.CREATED)
        .filter(timer -> timer.getValue().getTargetElementId().equals("Event_BuildOverran"))
        .anyMatch(timer -> Math.abs(timer.getValue().getDueDate() - due.toEpochMilli()) < 60_000);
  }

  @Test
  void aLifecycleDeclinedTimeAfterTimeEndsAfterItsRetriesWithoutTheKey() {
    Map<String, String> oneAgent = Map.of("max_running_agents", "1");
    Map<String, Object> running = lifecycles.request(Map.of(), oneAgent);
    CamundaFuture<ProcessInstanceResult> runningLifecycle = lifecycles.start(running);
    String agent = lifecycles.awaitAgentOf(running);

    Map<String, Object> starving = lifecycles.request(Map.of(), oneAgent);
    Map<String, Object> ended = ended(lifecycles.start(starving));

    // The test configuration asks again 5 times, one second apart: 6 declines, then GoCD's turn.
    assertThat(ended)
        .containsEntry("agent_decision", "DECLINED")
        .containsEntry("declines", 6)
        .containsEntry("will_retry", false)
        .containsEntry("auto_register_key", null);
    assertThat(registry.decisionsFor("create-agent", GoCdServer.jobOf(starving)))
        .hasSize(6)
        .containsOnly(DecisionOutcome.DECLINED);
    lifecycles.gocd.jobCompleted(agent, running);
    ended(runningLifecycle);
  }

  @Test
  void aJobCompletedMessageOfAnEarlierJobOfTheAgentIsNotTakenForThisOne() {
    Map<String, Object> first = lifecycles.request(Map.of(), Map.of());
    CamundaFuture<ProcessInstanceResult> firstLifecycle = lifecycles.start(first);
    String agent = lifecycles.awaitAgentOf(first);
    lifecycles.gocd.jobCompleted(agent, first);
    ended(firstLifecycle);
    Map<String, Object> second = lifecycles.request(Map.of(), Map.of());
    CamundaFuture<ProcessInstanceResult> secondLifecycle = lifecycles.start(second);
    await().atMost(Duration.ofSeconds(10)).until(() -> lifecycles.state(agent) == AgentState.BUSY);

    // GoCD reports the first job completed once more: the agent's lifecycle is now the second
    // job's.
    lifecycles.gocd.jobCompleted(agent, first);

    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !secondLifecycle.isDone());
    assertThat(lifecycles.state(agent)).isEqualTo(AgentState.BUSY);
    lifecycles.gocd.jobCompleted(agent, second);
    Map<String, Object> ended = ended(secondLifecycle);
    assertThat(ended)
        .containsEntry("agent_decision", "REUSED")
        .containsEntry("completion_decision", "KEPT");
    assertThat(ended.get("job_identifier")).isEqualTo(second.get("job_identifier"));
  }
}
