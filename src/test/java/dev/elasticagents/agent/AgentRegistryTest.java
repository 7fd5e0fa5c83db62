package dev.elasticagents.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/** The registry's decisions, on real PostgreSQL and on the embedded default (H2). */
class AgentRegistryTest {

  private static final DataSource POSTGRES = RegistryDatabases.newPostgresDatabase();
  private static final DataSource H2 = RegistryDatabases.newH2Database();
  private static final Duration RETRY_AFTER = Duration.ofSeconds(30);
  private static final AtomicInteger JOB_IDS = new AtomicInteger(1000);

  static Stream<Arguments> databases() {
    return Stream.of(Arguments.of("PostgreSQL", POSTGRES), Arguments.of("H2", H2));
  }

  private final AgentProfile linux = new AgentProfile("production", Map.of("image", "linux"), true);
  private final AgentProfile windows = new AgentProfile("production", Map.of("image", "windows"), true);

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void createsAPendingAgentForANewJob(String name, DataSource database) {
    AgentRegistry registry = registry(database);
    ClusterProfile cluster = cluster(2, 2);

    AgentDecision decision = registry.decide(Optional.of(job()), cluster, linux, false, RETRY_AFTER, AgentId::next);

    assertThat(decision).isInstanceOf(AgentDecision.Created.class);
    String agentId = ((AgentDecision.Created) decision).agentId();
    assertThat(registry.find(agentId)).get().extracting(Agent::state).isEqualTo(AgentState.PENDING);
    assertThat(registry.runningAgents(cluster.id())).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void givesAReSentRequestTheSameAgent(String name, DataSource database) {
    AgentRegistry registry = registry(database);
    ClusterProfile cluster = cluster(2, 2);
    JobIdentifier job = job();

    String first = agentOf(registry.decide(Optional.of(job), cluster, linux, false, RETRY_AFTER, AgentId::next));
    AgentDecision again = registry.decide(Optional.of(job), cluster, linux, false, RETRY_AFTER, AgentId::next);

    assertThat(again).isEqualTo(new AgentDecision.AlreadyCreated(first));
    assertThat(registry.runningAgents(cluster.id())).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void reusesAnIdleAgentOfTheSameProfileOnly(String name, DataSource database) {
    AgentRegistry registry = registry(database);
    ClusterProfile cluster = cluster(5, 5);
    String idle = agentOf(registry.decide(Optional.of(job()), cluster, linux, false, RETRY_AFTER, AgentId::next));
    assertThat(registry.keepIdle(idle)).isTrue();

    AgentDecision other = registry.decide(Optional.of(job()), cluster, windows, false, RETRY_AFTER, AgentId::next);
    AgentDecision same = registry.decide(Optional.of(job()), cluster, linux, false, RETRY_AFTER, AgentId::next);

    assertThat(other).isInstanceOf(AgentDecision.Created.class);
    assertThat(same).isEqualTo(new AgentDecision.Reused(idle));
    assertThat(registry.find(idle)).get().extracting(Agent::state).isEqualTo(AgentState.BUSY);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void declinesWhenTheClusterProfileRunsItsMaximumIdleAgentsIncluded(String name, DataSource database) {
    AgentRegistry registry = registry(database);
    ClusterProfile cluster = cluster(2, 5);
    registry.decide(Optional.of(job()), cluster, linux, false, RETRY_AFTER, AgentId::next);
    String idle = agentOf(registry.decide(Optional.of(job()), cluster, linux, false, RETRY_AFTER, AgentId::next));
    registry.keepIdle(idle);

    AgentDecision decision = registry.decide(Optional.of(job()), cluster, windows, false, RETRY_AFTER, AgentId::next);

    assertThat(decision)
        .isEqualTo(
            new AgentDecision.Declined(
                "cluster profile '%s' is at its maximum of 2 running agents".formatted(cluster.id()),
                RETRY_AFTER));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void anApprovedCapacityOverrideCreatesAnAgentBeyondTheMaximum(String name, DataSource database) {
    AgentRegistry registry = registry(database);
    ClusterProfile cluster = cluster(1, 5);
    registry.decide(Optional.of(job()), cluster, linux, false, RETRY_AFTER, AgentId::next);

    AgentDecision declined = registry.decide(Optional.of(job()), cluster, linux, false, RETRY_AFTER, AgentId::next);
    AgentDecision approved = registry.decide(Optional.of(job()), cluster, linux, true, RETRY_AFTER, AgentId::next);

    assertThat(declined).isInstanceOf(AgentDecision.Declined.class);
    assertThat(approved).isInstanceOf(AgentDecision.Created.class);
    assertThat(registry.runningAgents(cluster.id())).isEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void declinesWhenEnoughAgentsOfTheProfileAreStarting(String name, DataSource database) {
    AgentRegistry registry = registry(database);
    ClusterProfile cluster = cluster(10, 2);
    registry.decide(Optional.of(job()), cluster, linux, false, RETRY_AFTER, AgentId::next);
    registry.decide(Optional.of(job()), cluster, linux, false, RETRY_AFTER, AgentId::next);

    AgentDecision decision = registry.decide(Optional.of(job()), cluster, linux, false, RETRY_AFTER, AgentId::next);
    AgentDecision otherProfile = registry.decide(Optional.of(job()), cluster, windows, false, RETRY_AFTER, AgentId::next);

    assertThat(decision).isInstanceOfSatisfying(
        AgentDecision.Declined.class,
        declined -> assertThat(declined.reason()).startsWith("enough idle agents: 2 agents"));
    assertThat(otherProfile).isInstanceOf(AgentDecision.Created.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aTerminatedAgentFreesCapacityAndItsJobGetsANewAgent(String name, DataSource database) {
    AgentRegistry registry = registry(database);
    ClusterProfile cluster = cluster(1, 1);
    JobIdentifier job = job();
    String first = agentOf(registry.decide(Optional.of(job), cluster, linux, false, RETRY_AFTER, AgentId::next));

    assertThat(registry.beginTermination(first, "test")).isTrue();
    assertThat(registry.beginTermination(first, "again")).isFalse();
    assertThat(registry.keepIdle(first)).isFalse();
    registry.markTerminated(first);
    AgentDecision decision = registry.decide(Optional.of(job), cluster, linux, false, RETRY_AFTER, AgentId::next);

    assertThat(decision).isInstanceOf(AgentDecision.Created.class);
    assertThat(agentOf(decision)).isNotEqualTo(first);
    assertThat(registry.agentOf(job)).contains(agentOf(decision));
    assertThat(registry.runningAgents(cluster.id())).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void agentsTheGoCdServerKnowsCountAsRegistered(String name, DataSource database) {
    AgentRegistry registry = registry(database);
    String agent = agentOf(registry.decide(Optional.of(job()), cluster(2, 2), linux, false, RETRY_AFTER, AgentId::next));

    registry.markRegistered(List.of(agent, "GoCDunknown"));

    Agent registered = registry.find(agent).orElseThrow();
    assertThat(registered.state()).isEqualTo(AgentState.BUSY);
    assertThat(registered.registeredAt()).isPresent();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void requestsWithoutJobIdentifierAreNotDeduplicated(String name, DataSource database) {
    AgentRegistry registry = registry(database);
    ClusterProfile cluster = cluster(5, 5);

    String first = agentOf(registry.decide(Optional.empty(), cluster, linux, false, RETRY_AFTER, AgentId::next));
    String second = agentOf(registry.decide(Optional.empty(), cluster, linux, false, RETRY_AFTER, AgentId::next));

    assertThat(first).isNotEqualTo(second);
  }

  static AgentRegistry registry(DataSource database) {
    return new AgentRegistry(
        JdbcClient.create(database),
        new DataSourceTransactionManager(database),
        Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC));
  }

  static ClusterProfile cluster(int maxRunning, int maxPending) {
    return new ClusterProfile(
        "cluster-" + UUID.randomUUID(), maxRunning, maxPending, Duration.ofMinutes(10), Duration.ofMinutes(10));
  }

  static JobIdentifier job() {
    int id = JOB_IDS.incrementAndGet();
    return new JobIdentifier(id, "build", id, "label", "pipeline", 1, "stage");
  }

  static String agentOf(AgentDecision decision) {
    return decision.assignedAgent().orElseThrow(() -> new AssertionError("declined: " + decision));
  }
}
