package dev.elasticagents.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.elasticagents.agent.AgentId;
import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.agent.ClusterProfile;
import dev.elasticagents.agent.DecisionOutcome;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.RecordedDecision;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.CountingDataSource;
import dev.elasticagents.testing.LockWaits;
import dev.elasticagents.testing.RegistryDatabases;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * Create-agent decisions that wait for their cluster profile's lock are taken together, in one
 * transaction, exactly as if they had been taken one after the other. The lock is held by another
 * transaction while the demands line up, so every batch here is the one the test arranged. On real
 * PostgreSQL and on the embedded default (H2).
 */
class LockedDecisionBatchesTest {

  private static final DataSource POSTGRES = RegistryDatabases.newPostgresDatabase();
  private static final DataSource H2 = RegistryDatabases.newH2Database();

  static Stream<Arguments> databases() {
    return Stream.of(Arguments.of("PostgreSQL", POSTGRES), Arguments.of("H2", H2));
  }

  private final AgentProfile linux = new AgentProfile("production", Map.of("image", "linux"), true);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ExecutorService deciders = Executors.newFixedThreadPool(5);

  @AfterEach
  void stopDeciders() {
    deciders.shutdownNow();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void demandsThatWaitWhileTheLockIsHeldAreDecidedInOneTransaction(String name, DataSource database)
      throws Exception {
    AgentRegistry registry = registryOn(database);
    ClusterProfile cluster = AgentRegistryTest.cluster(10, 10);

    List<Future<RecordedDecision>> decided =
        lineUp(registry, database, cluster, List.of(AgentId::next), 4);

    assertThat(outcomes(decided)).containsOnly(DecisionOutcome.CREATED).hasSize(5);
    assertThat(agents(decided)).doesNotHaveDuplicates();
    assertThat(registry.runningAgents(cluster.id())).isEqualTo(5);
    // The first demand waited alone for the lock; the four behind it went in one transaction.
    assertThat(batchSizes().count()).isEqualTo(2);
    assertThat(batchSizes().max()).isEqualTo(4);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aBatchCountsTheAgentsItCreatesAgainstTheMaximumRunning(String name, DataSource database)
      throws Exception {
    AgentRegistry registry = registryOn(database);
    ClusterProfile cluster = AgentRegistryTest.cluster(3, 10);

    List<Future<RecordedDecision>> decided =
        lineUp(registry, database, cluster, List.of(AgentId::next), 4);

    assertThat(outcomes(decided))
        .containsExactlyInAnyOrder(
            DecisionOutcome.CREATED,
            DecisionOutcome.CREATED,
            DecisionOutcome.CREATED,
            DecisionOutcome.DECLINED,
            DecisionOutcome.DECLINED);
    assertThat(declineReasons(decided))
        .allSatisfy(reason -> assertThat(reason).contains("maximum of 3 running agents"));
    assertThat(registry.runningAgents(cluster.id())).isEqualTo(3);
    assertThat(batchSizes().max()).isEqualTo(4);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aBatchCountsTheAgentsItCreatesAsStarting(String name, DataSource database) throws Exception {
    AgentRegistry registry = registryOn(database);
    ClusterProfile cluster = AgentRegistryTest.cluster(10, 2);

    List<Future<RecordedDecision>> decided =
        lineUp(registry, database, cluster, List.of(AgentId::next), 4);

    assertThat(outcomes(decided))
        .containsExactlyInAnyOrder(
            DecisionOutcome.CREATED,
            DecisionOutcome.CREATED,
            DecisionOutcome.DECLINED,
            DecisionOutcome.DECLINED,
            DecisionOutcome.DECLINED);
    assertThat(declineReasons(decided))
        .allSatisfy(reason -> assertThat(reason).contains("2 agents of this profile are starting"));
    assertThat(registry.runningAgents(cluster.id())).isEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aDemandThatCannotBeRecordedFailsAloneAndTheRestOfItsBatchIsDecided(
      String name, DataSource database) throws Exception {
    AgentRegistry registry = registryOn(database);
    ClusterProfile cluster = AgentRegistryTest.cluster(10, 10);
    // The last demand of the batch reserves an agent under the id the first demand's agent has.
    String takenId = "agent-" + UUID.randomUUID();
    List<Supplier<String>> ids =
        List.of(() -> takenId, AgentId::next, AgentId::next, AgentId::next, () -> takenId);

    List<Future<RecordedDecision>> decided = lineUp(registry, database, cluster, ids, 4);

    assertThat(decided.get(0).get().agentId()).contains(takenId);
    for (Future<RecordedDecision> sound : decided.subList(1, 4)) {
      assertThat(sound.get().outcome()).isEqualTo(DecisionOutcome.CREATED);
    }
    assertThat(decided.get(4))
        .failsWithin(Duration.ofSeconds(20))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(DuplicateKeyException.class);
    assertThat(registry.runningAgents(cluster.id())).isEqualTo(4);
    // The batch of four rolled back, and each of its demands was decided again alone.
    assertThat(batchSizes().count()).isEqualTo(6);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void twoDemandsOfOneGoCdJobInOneBatchGetOneAgent(String name, DataSource database)
      throws Exception {
    AgentRegistry registry = registryOn(database);
    ClusterProfile cluster = AgentRegistryTest.cluster(10, 10);
    JobIdentifier waiting = AgentRegistryTest.job();

    List<Future<RecordedDecision>> decided =
        lineUp(
            registry,
            database,
            List.of(
                demand(cluster, AgentRegistryTest.job()),
                demand(cluster, waiting),
                demand(cluster, waiting)));

    assertThat(decided.get(1).get().outcome()).isEqualTo(DecisionOutcome.CREATED);
    assertThat(decided.get(2).get().outcome()).isEqualTo(DecisionOutcome.ALREADY_CREATED);
    assertThat(decided.get(2).get().agentId()).isEqualTo(decided.get(1).get().agentId());
    assertThat(registry.agentsAssignedTo(waiting))
        .containsExactly(decided.get(1).get().agentId().orElseThrow());
    assertThat(registry.runningAgents(cluster.id())).isEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aJobDeliveredTwiceIntoOneBatchReplaysItsFirstDecision(String name, DataSource database)
      throws Exception {
    AgentRegistry registry = registryOn(database);
    ClusterProfile cluster = AgentRegistryTest.cluster(10, 10);
    Demand delivered = demand(cluster, AgentRegistryTest.job());

    List<Future<RecordedDecision>> decided =
        lineUp(
            registry,
            database,
            List.of(demand(cluster, AgentRegistryTest.job()), delivered, delivered));

    RecordedDecision first = decided.get(1).get();
    RecordedDecision again = decided.get(2).get();
    assertThat(first.replayed()).isFalse();
    assertThat(again.replayed()).isTrue();
    assertThat(again.outcome()).isEqualTo(DecisionOutcome.CREATED);
    assertThat(again.agentId()).isEqualTo(first.agentId());
    assertThat(again.variables()).isEqualTo(first.variables());
    assertThat(registry.runningAgents(cluster.id())).isEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aBatchInsertsItsAgentsTheirJobsBindingsAndItsDecisionsInOneStatementEach(
      String name, DataSource database) throws Exception {
    CountingDataSource counted = new CountingDataSource(database);
    AgentRegistry registry = registryOn(counted);
    ClusterProfile cluster = AgentRegistryTest.cluster(10, 10);
    List<Demand> demands =
        Stream.generate(() -> demand(cluster, AgentRegistryTest.job())).limit(5).toList();

    List<Future<RecordedDecision>> decided = lineUp(registry, database, demands);

    assertThat(outcomes(decided)).containsOnly(DecisionOutcome.CREATED).hasSize(5);
    for (int i = 0; i < demands.size(); i++) {
      assertThat(registry.agentOf(demands.get(i).job().orElseThrow()))
          .isEqualTo(decided.get(i).get().agentId());
      assertThat(registry.recordedDecision(demands.get(i).key()))
          .map(RecordedDecision::agentId)
          .contains(decided.get(i).get().agentId());
    }
    // The first demand was decided alone, the four behind it together: one insert into each
    // table per transaction.
    assertThat(batchSizes().max()).isEqualTo(4);
    assertThat(inserts(counted, "agents")).isEqualTo(2);
    assertThat(inserts(counted, "agent_requests")).isEqualTo(2);
    assertThat(inserts(counted, "decisions")).isEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aJobWhoseAgentWasTerminatedIsBoundToItsNewAgentInABatchWithNewJobs(
      String name, DataSource database) throws Exception {
    AgentRegistry registry = registryOn(database);
    ClusterProfile cluster = AgentRegistryTest.cluster(10, 10);
    JobIdentifier again = AgentRegistryTest.job();
    String terminated = registry.decide(demand(cluster, again)).agentId().orElseThrow();
    AgentRegistryTest.terminate(registry, terminated);
    List<Demand> demands =
        List.of(
            demand(cluster, AgentRegistryTest.job()),
            demand(cluster, AgentRegistryTest.job()),
            demand(cluster, again),
            demand(cluster, AgentRegistryTest.job()));

    List<Future<RecordedDecision>> decided = lineUp(registry, database, demands);

    assertThat(outcomes(decided)).containsOnly(DecisionOutcome.CREATED).hasSize(4);
    assertThat(decided.get(2).get().agentId()).isNotEqualTo(Optional.of(terminated));
    for (int i = 0; i < demands.size(); i++) {
      assertThat(registry.agentOf(demands.get(i).job().orElseThrow()))
          .isEqualTo(decided.get(i).get().agentId());
    }
    assertThat(batchSizes().max()).isEqualTo(3);
  }

  /**
   * Decides one demand, which waits for the lock this test holds, then {@code behind} more that
   * line up behind it, then lets the lock go: the first is decided alone, the others together.
   * Demand {@code i} reserves agents under {@code ids.get(i)}, or the last of {@code ids}.
   */
  private List<Future<RecordedDecision>> lineUp(
      AgentRegistry registry,
      DataSource database,
      ClusterProfile cluster,
      List<Supplier<String>> ids,
      int behind)
      throws SQLException {
    List<Demand> demands = new ArrayList<>();
    for (int i = 0; i <= behind; i++) {
      demands.add(demand(cluster, ids, i));
    }
    return lineUp(registry, database, demands);
  }

  /**
   * Decides the first demand, which waits for the lock this test holds, then the others, which line
   * up behind it in order, then lets the lock go: the first is decided alone, the others together.
   */
  private List<Future<RecordedDecision>> lineUp(
      AgentRegistry registry, DataSource database, List<Demand> demands) throws SQLException {
    String clusterProfileId = demands.getFirst().cluster().id();
    assertThat(registry.trackClusterProfile(clusterProfileId, 100)).isTrue();
    List<Future<RecordedDecision>> decided = new ArrayList<>();
    try (Connection holder = database.getConnection()) {
      holder.setAutoCommit(false);
      try (PreparedStatement lock =
          holder.prepareStatement("select id from cluster_profiles where id = ? for update")) {
        lock.setString(1, clusterProfileId);
        lock.executeQuery().close();
      }
      decided.add(deciders.submit(() -> registry.decide(demands.getFirst())));
      LockWaits.awaitASessionWaitingForALock(database);
      for (int i = 1; i < demands.size(); i++) {
        Demand demand = demands.get(i);
        int waiting = i;
        decided.add(deciders.submit(() -> registry.decide(demand)));
        await("demand lined up behind the lock")
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(5))
            .until(() -> registry.decisionsWaitingForLock(clusterProfileId) == waiting);
      }
      holder.rollback();
    }
    for (Future<RecordedDecision> decision : decided) {
      await().atMost(Duration.ofSeconds(20)).until(decision::isDone);
    }
    return decided;
  }

  private Demand demand(ClusterProfile cluster, JobIdentifier job) {
    return demand(cluster, Optional.of(job), AgentId::next);
  }

  private Demand demand(ClusterProfile cluster, List<Supplier<String>> ids, int index) {
    return demand(
        cluster, Optional.of(AgentRegistryTest.job()), ids.get(Math.min(index, ids.size() - 1)));
  }

  private Demand demand(ClusterProfile cluster, Optional<JobIdentifier> job, Supplier<String> id) {
    return new Demand(
        AgentServices.createAgentJob(),
        job,
        cluster,
        linux,
        "recording:instance-a",
        0,
        Duration.ofSeconds(30),
        3,
        id);
  }

  private AgentRegistry registryOn(DataSource database) {
    return new AgentRegistry(
        JdbcClient.create(database),
        new DataSourceTransactionManager(database),
        Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC),
        meters,
        new ObjectMapper());
  }

  /** The statements that inserted into {@code table} on the counted connections. */
  private static long inserts(CountingDataSource counted, String table) {
    return counted.sql().stream()
        .filter(sql -> sql.strip().startsWith("insert into " + table + " "))
        .count();
  }

  private DistributionSummary batchSizes() {
    return meters.get("elastic.agents.decisions.batch.size").summary();
  }

  private static List<DecisionOutcome> outcomes(List<Future<RecordedDecision>> decided) {
    return decided.stream()
        .map(Future::resultNow)
        .map(RecordedDecision::createAgentOutcome)
        .toList();
  }

  private static List<String> agents(List<Future<RecordedDecision>> decided) {
    return decided.stream()
        .map(Future::resultNow)
        .map(decision -> decision.agentId().orElseThrow())
        .toList();
  }

  private static List<String> declineReasons(List<Future<RecordedDecision>> decided) {
    return decided.stream()
        .map(Future::resultNow)
        .filter(decision -> decision.outcome() == DecisionOutcome.DECLINED)
        .map(decision -> String.valueOf(decision.variables().get("decline_reason")))
        .toList();
  }
}
