package dev.elasticagents.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.DecisionOutcome;
import dev.elasticagents.agent.GoCdAgent;
import dev.elasticagents.agent.LifecycleMessage;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.MovableClock;
import dev.elasticagents.testing.RecordingAgentProvider;
import dev.elasticagents.testing.RegistryDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * GoCD's agent list repairs lost job-completions: a busy agent that GoCD shows idle, or does not
 * list, on two server-pings at least the grace (two minutes) apart is released as its
 * job-completion would have released it. On real PostgreSQL.
 */
class CompletionRepairTest {

  private static final AtomicInteger JOB_IDS = new AtomicInteger(72_000);

  private final MovableClock clock = new MovableClock(Instant.parse("2026-12-04T10:00:00Z"));
  private final AgentServices services =
      new AgentServices(
          RegistryDatabases.newPostgresDatabase(),
          new RecordingAgentProvider(),
          clock,
          AgentServices.properties(10, 10));
  private final String cluster = "cluster-" + UUID.randomUUID();

  @Test
  void aBusyAgentGoCdShowsIdleOnTwoPingsTheGraceApartGetsTheJobCompletedMessageOfItsJob() {
    CreateAgentRequest request = request();
    String agent = busy(request);

    assertThat(ping(agent, "Idle")).isEmpty();
    clock.advance(Duration.ofMinutes(1));
    assertThat(ping(agent, "Idle")).isEmpty();
    clock.advance(Duration.ofMinutes(1));
    List<Map<String, Object>> repaired = ping(agent, "Idle");

    assertThat(repaired).extracting(r -> r.get("elastic_agent_id")).containsExactly(agent);
    long jobId = request.jobIdentifier().orElseThrow().jobId();
    assertThat(services.registry.unpublishedMessages(10))
        .extracting(
            LifecycleMessage::messageId, LifecycleMessage::name, LifecycleMessage::correlationKey)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "job-completed:" + agent + ":" + jobId, "job-completed", agent));
    assertThat(services.registry.unpublishedMessages(10).getFirst().variables())
        .containsEntry("job_identifier", Map.of("job_id", (int) jobId));
    assertThat(
            services
                .meters
                .counter("elastic.agents.completions.repaired", "listed", "idle")
                .count())
        .isEqualTo(1);
  }

  @Test
  void anAgentIsRepairedOnceHoweverManyPingsFollow() {
    String agent = busy(request());
    ping(agent, "Idle");
    clock.advance(Duration.ofMinutes(2));
    ping(agent, "Idle");

    clock.advance(Duration.ofMinutes(1));
    assertThat(ping(agent, "Idle")).isEmpty();

    assertThat(services.registry.unpublishedMessages(10)).hasSize(1);
    assertThat(
            services
                .meters
                .counter("elastic.agents.completions.repaired", "listed", "idle")
                .count())
        .isEqualTo(1);
  }

  @Test
  void aPingThatShowsTheAgentBuildingStartsTheGraceAgain() {
    String agent = busy(request());
    ping(agent, "Idle");
    clock.advance(Duration.ofMinutes(1));
    ping(agent, "Building");
    clock.advance(Duration.ofMinutes(1));
    ping(agent, "Idle");
    clock.advance(Duration.ofMinutes(1));

    assertThat(ping(agent, "Idle")).isEmpty();
    clock.advance(Duration.ofMinutes(1));
    assertThat(ping(agent, "Idle"))
        .extracting(r -> r.get("elastic_agent_id"))
        .containsExactly(agent);
  }

  @Test
  void aBuildingAgentIsNeverRepaired() {
    String agent = busy(request());

    for (int minute = 0; minute < 5; minute++) {
      assertThat(ping(agent, "Building")).isEmpty();
      clock.advance(Duration.ofMinutes(1));
    }

    assertThat(services.registry.unpublishedMessages(10)).isEmpty();
  }

  @Test
  void anAgentGoCdDoesNotListIsRepairedOnlyOnceItIsPastItsAutoRegisterTimeout() {
    String agent = busy(request());

    assertThat(pingWithout()).isEmpty();
    clock.advance(Duration.ofMinutes(5));
    assertThat(pingWithout()).isEmpty();
    clock.advance(Duration.ofMinutes(6));
    assertThat(pingWithout()).isEmpty(); // past the auto-register timeout: first sight
    clock.advance(Duration.ofMinutes(2));

    assertThat(pingWithout())
        .extracting(r -> (String) r.get("reason"))
        .singleElement()
        .asString()
        .startsWith("GoCD did not list it for PT2M");
    assertThat(services.registry.unpublishedMessages(10))
        .extracting(LifecycleMessage::correlationKey)
        .containsExactly(agent);
  }

  @Test
  void aTimerCleanupWithoutGoCdsListRepairsNothing() {
    String agent = busy(request());
    ping(agent, "Idle");
    clock.advance(Duration.ofMinutes(3));

    services.cleanup.cleanUp(List.of(), AgentServices.cleanupJob());

    assertThat(services.registry.unpublishedMessages(10)).isEmpty();
    assertThat(services.state(agent)).isEqualTo(AgentState.BUSY);
  }

  @Test
  void anAgentOnlyShouldAssignWorkGaveAJobIsReleasedDirectly() {
    CreateAgentRequest first = request();
    String agent = busy(first);
    services.jobCompleted(agent, first);
    CreateAgentRequest waiting = request();
    assertThat(services.lifecycle.shouldAssignWork(AgentServices.offer(agent, waiting))).isTrue();

    ping(agent, "Idle");
    clock.advance(Duration.ofMinutes(2));
    assertThat(ping(agent, "Idle"))
        .extracting(r -> r.get("elastic_agent_id"))
        .containsExactly(agent);

    assertThat(services.state(agent)).isEqualTo(AgentState.IDLE);
    assertThat(services.registry.unpublishedMessages(10)).isEmpty();
  }

  @Test
  void anAgentReusedForAnotherJobIsJudgedAfreshForThatJob() {
    CreateAgentRequest first = request();
    String agent = busy(first);
    ping(agent, "Idle");
    services.jobCompleted(agent, first);
    CreateAgentRequest second = request();
    assertThat(services.lifecycle.createAgent(second, AgentServices.createAgentJob()).outcome())
        .isEqualTo(DecisionOutcome.REUSED);

    clock.advance(Duration.ofMinutes(3));

    assertThat(ping(agent, "Idle")).isEmpty();
  }

  private String busy(CreateAgentRequest request) {
    String agent = services.created(request);
    ping(agent, "Building");
    assertThat(services.state(agent)).isEqualTo(AgentState.BUSY);
    return agent;
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> ping(String agent, String buildState) {
    return (List<Map<String, Object>>)
        services
            .cleanup
            .cleanUpAfterPing(List.of(new GoCdAgent(agent, buildState)), AgentServices.cleanupJob())
            .variables()
            .get("repaired_completions");
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> pingWithout() {
    return (List<Map<String, Object>>)
        services
            .cleanup
            .cleanUpAfterPing(List.of(), AgentServices.cleanupJob())
            .variables()
            .get("repaired_completions");
  }

  private CreateAgentRequest request() {
    return AgentServices.request(cluster, JOB_IDS.incrementAndGet(), Map.of());
  }
}
