package dev.elasticagents.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.Termination;
import dev.elasticagents.agent.TerminationKind;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.MovableClock;
import dev.elasticagents.testing.RecordingAgentProvider;
import dev.elasticagents.testing.RegistryDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The registry's agents as gauges, on real PostgreSQL and on H2. */
class AgentGaugesTest {

  private static final AtomicInteger JOB_IDS = new AtomicInteger(90_000);
  private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

  static Stream<Arguments> databases() {
    return Stream.of(
        Arguments.of("PostgreSQL", (Supplier<DataSource>) RegistryDatabases::newPostgresDatabase),
        Arguments.of("H2", (Supplier<DataSource>) RegistryDatabases::newH2Database));
  }

  private final String cluster = "cluster-" + UUID.randomUUID();
  private final MovableClock clock = new MovableClock(START);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void countsLiveAgentsByClusterProfileAndStateLeavingTerminatedOnesOut(
      String name, Supplier<DataSource> database) {
    DataSource registry = database.get();
    AgentServices services = services(registry);
    services.created(request());
    String terminating = services.terminatingElsewhere(request());
    String terminated = services.terminated(request());
    gauges(registry);

    scrape();

    assertThat(live("pending")).isEqualTo(1);
    assertThat(live("terminating")).isEqualTo(1);
    assertThat(live("busy")).isZero();
    assertThat(live("idle")).isZero();
    assertThat(meters.find("elastic.agents.live").tag("state", "terminated").gauges()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void readsHowLongTheOldestPendingAgentHasWaitedSinceItWasReserved(
      String name, Supplier<DataSource> database) {
    DataSource registry = database.get();
    AgentServices services = services(registry);
    services.created(request());
    clock.advance(Duration.ofMinutes(2));
    services.created(request());
    clock.advance(Duration.ofMinutes(3));
    gauges(registry);

    assertThat(oldest("pending")).isEqualTo(300);
    assertThat(oldest("terminating")).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void readsHowLongTheOldestTerminatingAgentHasBeenClaimed(
      String name, Supplier<DataSource> database) {
    DataSource registry = database.get();
    AgentServices services = services(registry);
    String agent = services.created(request());
    clock.advance(Duration.ofMinutes(10));
    services.registry.claimTermination(
        services.agent(agent), "someone-else", new Termination(TerminationKind.OTHER, "test"));
    clock.advance(Duration.ofMinutes(7));
    gauges(registry);

    assertThat(oldest("terminating")).isEqualTo(420);
  }

  @Test
  void oneReadOfTheRegistryServesTheScrapesOfTenSeconds() {
    DataSource registry = RegistryDatabases.newH2Database();
    AgentServices services = services(registry);
    services.created(request());
    gauges(registry);
    scrape();
    services.created(request());

    clock.advance(AgentGauges.MAX_AGE.minusSeconds(1));
    assertThat(live("pending")).isEqualTo(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(live("pending")).isEqualTo(2);
  }

  @Test
  void readsNaNWhileTheRegistryDoesNotAnswer() {
    JdbcDataSource missing = new JdbcDataSource();
    missing.setURL("jdbc:h2:mem:missing-" + UUID.randomUUID() + ";IFEXISTS=TRUE");
    gauges(missing);

    assertThat(oldest("pending")).isNaN();
  }

  private void gauges(DataSource registry) {
    new AgentGauges(
        new RegistryReports(JdbcClient.create(registry), clock, new ObjectMapper()),
        JdbcClient.create(registry),
        clock,
        meters);
  }

  /**
   * The first scrape reads the registry and registers the gauges of the cluster profiles it finds.
   */
  private void scrape() {
    oldest("pending");
  }

  private double live(String state) {
    return meters
        .get("elastic.agents.live")
        .tag("cluster_profile", cluster)
        .tag("state", state)
        .gauge()
        .value();
  }

  private double oldest(String state) {
    return meters.get("elastic.agents.oldest").tag("state", state).gauge().value();
  }

  private AgentServices services(DataSource registry) {
    return new AgentServices(
        registry, new RecordingAgentProvider(), clock, AgentServices.properties(10, 10));
  }

  private CreateAgentRequest request() {
    return AgentServices.request(cluster, JOB_IDS.incrementAndGet(), Map.of());
  }
}
