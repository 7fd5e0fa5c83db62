package dev.elasticagents.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.agent.LifecycleMessage;
import dev.elasticagents.runtime.MessagePublisher;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.MovableClock;
import dev.elasticagents.testing.RecordingAgentProvider;
import dev.elasticagents.testing.RegistryDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The messages recorded for lifecycles are published until the engine took each one, then
 * forgotten; one the engine did not take is published again in the next round.
 */
class LifecycleMessagesTest {

  private static final AtomicInteger JOB_IDS = new AtomicInteger(73_000);

  private final MovableClock clock = new MovableClock(Instant.parse("2026-12-04T10:00:00Z"));
  private final AgentServices services =
      new AgentServices(
          RegistryDatabases.newPostgresDatabase(),
          new RecordingAgentProvider(),
          clock,
          AgentServices.properties(10, 10));
  private final Engine engine = new Engine();
  private final LifecycleMessages messages =
      new LifecycleMessages(
          services.registry, engine, AgentServices.properties(10, 10), services.meters);
  private final String cluster = "cluster-" + UUID.randomUUID();

  @Test
  void recordedMessagesArePublishedWithTheirIdsAndTimeToLiveAndThenForgotten() {
    List<String> lost = List.of(neverRegistered(), neverRegistered());

    assertThat(messages.publishRecorded()).isEqualTo(2);

    assertThat(engine.published)
        .extracting(
            Published::name, Published::correlationKey, Published::messageId, Published::timeToLive)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                "agent-lost", lost.get(0), "agent-lost:" + lost.get(0), Duration.ofHours(1)),
            org.assertj.core.groups.Tuple.tuple(
                "agent-lost", lost.get(1), "agent-lost:" + lost.get(1), Duration.ofHours(1)));
    assertThat(services.registry.unpublishedMessages(10)).isEmpty();
    assertThat(messages.publishRecorded()).isZero();
  }

  @Test
  void aMessageTheEngineDidNotTakeIsKeptAndPublishedInTheNextRound() {
    String agent = neverRegistered();
    engine.refuseNext = true;

    assertThat(messages.publishRecorded()).isZero();
    assertThat(services.registry.unpublishedMessages(10))
        .extracting(LifecycleMessage::correlationKey)
        .containsExactly(agent);

    assertThat(messages.publishRecorded()).isEqualTo(1);
    assertThat(engine.published).extracting(Published::correlationKey).containsExactly(agent);
    assertThat(
            services
                .meters
                .counter("elastic.agents.lifecycle.messages", "message", "agent-lost")
                .count())
        .isEqualTo(1);
  }

  /** An agent that cleanup terminates for never registering: its lifecycle is told. */
  private String neverRegistered() {
    String agent =
        services.created(AgentServices.request(cluster, JOB_IDS.incrementAndGet(), Map.of()));
    clock.advance(Duration.ofMinutes(11));
    services.cleanup.cleanUp(List.of(), AgentServices.cleanupJob());
    return agent;
  }

  private record Published(
      String name, String correlationKey, String messageId, Duration timeToLive) {}

  /** The engine's side of publishing: takes every message, or refuses the next one. */
  private static final class Engine extends MessagePublisher {
    final List<Published> published = new ArrayList<>();
    boolean refuseNext;

    Engine() {
      super(null);
    }

    @Override
    public void publish(
        String name,
        String correlationKey,
        String messageId,
        Duration timeToLive,
        Map<String, Object> variables) {
      if (refuseNext) {
        refuseNext = false;
        throw new IllegalStateException("UNAVAILABLE: the gateway is not reachable");
      }
      published.add(new Published(name, correlationKey, messageId, timeToLive));
    }
  }
}
