package dev.elasticagents.agent.lifecycle;

import static dev.elasticagents.agent.lifecycle.CapacityCeilingsTest.ids;
import static dev.elasticagents.agent.lifecycle.CapacityCeilingsTest.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.elasticagents.agent.ClusterProfileIds;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.runtime.InvalidJobVariablesException;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.MovableClock;
import dev.elasticagents.testing.RecordingAgentProvider;
import dev.elasticagents.testing.RegistryDatabases;
import io.micrometer.core.instrument.Meter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The cluster profile ids the service serves stay bounded, on both registry databases: a listed
 * set, or at most {@code max-tracked} ids; a request for any other is refused as invalid, and adds
 * no registry row, lock, meter or cache entry.
 */
class ClusterProfileIdsTest {

  private static final String MAX_TRACKED = "elastic-agents.cluster-profiles.max-tracked";
  private static final String KNOWN_IDS = "elastic-agents.cluster-profiles.known-ids";

  private final MovableClock clock = new MovableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final RecordingAgentProvider provider = new RecordingAgentProvider();

  static Stream<Arguments> databases() {
    return Stream.of(
        Arguments.of("PostgreSQL", (Supplier<DataSource>) RegistryDatabases::newPostgresDatabase),
        Arguments.of("H2", (Supplier<DataSource>) RegistryDatabases::newH2Database));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aNewIdBeyondTheTrackedMaximumIsRefusedWhileTrackedOnesAreServed(
      String name, Supplier<DataSource> database) {
    AgentServices services = services(database.get(), Map.of(MAX_TRACKED, "3"));
    List<String> ids = ids(4);
    ids.subList(0, 3).forEach(id -> services.created(request(id, Map.of())));

    CreateAgentRequest fourth = request(ids.get(3), Map.of());
    assertThatThrownBy(() -> services.lifecycle.check(fourth))
        .isInstanceOf(InvalidJobVariablesException.class)
        .hasMessageContaining("elastic-agents.cluster-profiles.max-tracked (3)");
    assertThatThrownBy(() -> services.lifecycle.createAgent(fourth, AgentServices.createAgentJob()))
        .isInstanceOf(InvalidJobVariablesException.class)
        .hasMessageContaining("elastic-agents.cluster-profiles.max-tracked (3)")
        .hasMessageContaining("elastic-agents.cluster-profiles.known-ids");

    ids.subList(0, 3).forEach(id -> services.created(request(id, Map.of())));
    assertThat(services.registry.runningAgents(ids.get(3))).isZero();
    assertThat(taggedWith(services, ids.get(3))).isEmpty();
    assertThat(taggedWith(services, ids.get(0))).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void shouldAssignWorkForAnUntrackedIdTracksNothing(String name, Supplier<DataSource> database) {
    AgentServices services = services(database.get(), Map.of(MAX_TRACKED, "2"));
    List<String> ids = ids(3);
    CreateAgentRequest first = request(ids.get(0), Map.of());
    String agent = services.created(first);

    assertThat(services.lifecycle.shouldAssignWork(AgentServices.offer(agent, first))).isTrue();
    assertThat(
            services.lifecycle.shouldAssignWork(
                AgentServices.offer(agent, request(ids.get(1), Map.of()))))
        .isFalse();

    // Had should-assign-work tracked the second id, the third would find no room.
    services.created(request(ids.get(2), Map.of()));
  }

  @Test
  void listedIdsAreServedUnderTheirListedSpellingAndOthersAreRefused() {
    AgentServices services =
        services(
            RegistryDatabases.newPostgresDatabase(),
            Map.of(
                KNOWN_IDS + "[0]", "Kubernetes-EU", KNOWN_IDS + "[1]", "local", MAX_TRACKED, "1"));

    String agent = services.created(request("kubernetes-eu", Map.of()));
    services.created(request("local", Map.of()));

    assertThat(services.agent(agent).clusterProfileId()).isEqualTo("Kubernetes-EU");
    assertThat(services.registry.runningAgents("Kubernetes-EU")).isEqualTo(1);
    CreateAgentRequest unlisted = request("somebody-elses", Map.of());
    assertThatThrownBy(() -> services.lifecycle.check(unlisted))
        .isInstanceOf(InvalidJobVariablesException.class)
        .hasMessageContaining("elastic-agents.cluster-profiles.known-ids");
    assertThatThrownBy(
            () -> services.lifecycle.createAgent(unlisted, AgentServices.createAgentJob()))
        .isInstanceOf(InvalidJobVariablesException.class)
        .hasMessageContaining("does not serve");
    assertThat(taggedWith(services, "somebody-elses")).isEmpty();
  }

  @Test
  void twoListedIdsThatDifferOnlyInCaseRefuseToStart() {
    Binder binder =
        new Binder(
            new MapConfigurationPropertySource(
                Map.of(KNOWN_IDS + "[0]", "Kubernetes", KNOWN_IDS + "[1]", "kubernetes")));

    assertThatThrownBy(
            () -> binder.bindOrCreate("elastic-agents.cluster-profiles", ClusterProfileIds.class))
        .isInstanceOf(BindException.class)
        .rootCause()
        .hasMessageContaining("which GoCD takes for one cluster profile");
  }

  private AgentServices services(DataSource database, Map<String, String> limits) {
    return new AgentServices(database, provider, clock, AgentServices.properties(10, 10), limits);
  }

  private static List<Meter> taggedWith(AgentServices services, String clusterProfile) {
    return services.meters.getMeters().stream()
        .filter(meter -> clusterProfile.equals(meter.getId().getTag("cluster_profile")))
        .toList();
  }
}
