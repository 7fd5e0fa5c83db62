package dev.elasticagents.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.DecisionKey;
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
 * The registry records {@code agent-lost} for the lifecycle that holds an agent whenever anything
 * but that lifecycle terminates it, in the transaction of the termination, on real PostgreSQL.
 */
class LostAgentMessagesTest {

  private static final AtomicInteger JOB_IDS = new AtomicInteger(71_000);

  private final MovableClock clock = new MovableClock(Instant.parse("2026-12-04T10:00:00Z"));
  private final RecordingAgentProvider provider = new RecordingAgentProvider();
  private final AgentServices services =
      new AgentServices(
          RegistryDatabases.newPostgresDatabase(),
          provider,
          clock,
          AgentServices.properties(10, 10));
  private final String cluster = "cluster-" + UUID.randomUUID();

  @Test
  void anAgentCleanupTerminatesForNeverRegisteringIsAnnouncedToItsLifecycleWithTheReason() {
    String agent = services.created(request(Map.of()));

    clock.advance(Duration.ofMinutes(11));
    services.cleanup.cleanUp(List.of(), AgentServices.cleanupJob());

    assertThat(services.registry.unpublishedMessages(10))
        .containsExactly(
            new LifecycleMessage(
                "agent-lost:" + agent,
                "agent-lost",
                agent,
                Map.of("agent_lost_reason", "never registered within PT10M")));
  }

  @Test
  void aBusyAgentWhoseProcessIsGoneIsAnnouncedToItsLifecycle() {
    String agent = services.created(request(Map.of()));
    services.cleanup.cleanUp(List.of(agent), AgentServices.cleanupJob());
    provider.crash(agent);

    clock.advance(Duration.ofMinutes(2));
    services.cleanup.cleanUp(List.of(agent), AgentServices.cleanupJob());

    assertThat(services.registry.unpublishedMessages(10))
        .extracting(
            LifecycleMessage::name,
            LifecycleMessage::correlationKey,
            message -> message.variables().get("agent_lost_reason"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("agent-lost", agent, "agent is no longer running"));
  }

  @Test
  void aRedeliveredCleanupAnnouncesTheLossOnce() {
    String agent = services.created(request(Map.of()));
    clock.advance(Duration.ofMinutes(11));
    DecisionKey cleanup = AgentServices.cleanupJob();

    services.cleanup.cleanUp(List.of(), cleanup);
    services.cleanup.cleanUp(List.of(), cleanup);

    assertThat(services.registry.unpublishedMessages(10))
        .extracting(LifecycleMessage::correlationKey)
        .containsExactly(agent);
  }

  @Test
  void anAgentItsOwnLifecycleTerminatesAfterItsJobIsNotAnnounced() {
    CreateAgentRequest request = request(Map.of("image", "gocd-agent", "reuse_agents", "false"));
    String agent = services.created(request);

    services.jobCompleted(agent, request);

    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED);
    assertThat(services.registry.unpublishedMessages(10)).isEmpty();
  }

  @Test
  void anIdleAgentThatNoLifecycleHoldsIsTerminatedWithoutAMessage() {
    CreateAgentRequest request = request(Map.of());
    String agent = services.created(request);
    services.jobCompleted(agent, request);

    clock.advance(Duration.ofMinutes(11));
    services.cleanup.cleanUp(List.of(), AgentServices.cleanupJob());

    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED);
    assertThat(services.registry.unpublishedMessages(10)).isEmpty();
  }

  @Test
  void aReservationWhoseLaunchFailedIsAnnouncedSoThatNoLifecycleWaitsForIt() {
    provider.failLaunches(new IllegalStateException("image registry unreachable"));
    CreateAgentRequest request = request(Map.of());

    assertThatThrownBy(
            () -> services.lifecycle.createAgent(request, AgentServices.createAgentJob()))
        .hasMessageContaining("image registry unreachable");

    String reservation =
        services.registry.agentOf(request.jobIdentifier().orElseThrow()).orElseThrow();
    assertThat(services.state(reservation)).isEqualTo(AgentState.TERMINATED);
    assertThat(services.registry.unpublishedMessages(10))
        .extracting(
            LifecycleMessage::correlationKey,
            message -> message.variables().get("agent_lost_reason"))
        .containsExactly(org.assertj.core.groups.Tuple.tuple(reservation, "launch failed"));
  }

  @Test
  void publishedMessagesAreForgottenAndTheRestKeptInOrder() {
    String first = services.created(request(Map.of()));
    String second = services.created(request(Map.of()));
    clock.advance(Duration.ofMinutes(11));
    services.cleanup.cleanUp(List.of(), AgentServices.cleanupJob());
    List<LifecycleMessage> recorded = services.registry.unpublishedMessages(10);

    services.registry.messagesPublished(List.of(recorded.getFirst().messageId()));

    assertThat(recorded)
        .extracting(LifecycleMessage::correlationKey)
        .containsExactlyInAnyOrder(first, second);
    assertThat(services.registry.unpublishedMessages(10)).containsExactly(recorded.get(1));
  }

  private CreateAgentRequest request(Map<String, String> profile) {
    return AgentServices.request(cluster, JOB_IDS.incrementAndGet(), profile);
  }
}
