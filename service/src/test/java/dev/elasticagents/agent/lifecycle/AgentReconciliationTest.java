package dev.elasticagents.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.DecisionKey;
import dev.elasticagents.agent.DecisionOutcome;
import dev.elasticagents.agent.RecordedDecision;
import dev.elasticagents.agent.Termination;
import dev.elasticagents.agent.TerminationKind;
import dev.elasticagents.runtime.JobWorkerRegistrar;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.MovableClock;
import dev.elasticagents.testing.RecordingAgentProvider;
import dev.elasticagents.testing.RegistryDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The reconciliation a service runs when it starts again, on PostgreSQL and H2: the registry as the
 * instance left it when it stopped (or died), the provider as the agents are now.
 */
class AgentReconciliationTest {

  private static final AtomicInteger JOB_IDS = new AtomicInteger(11000);

  static Stream<Arguments> databases() {
    return Stream.of(
        Arguments.of("PostgreSQL", (Supplier<DataSource>) RegistryDatabases::newPostgresDatabase),
        Arguments.of("H2", (Supplier<DataSource>) RegistryDatabases::newH2Database));
  }

  private final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final RecordingAgentProvider provider = new RecordingAgentProvider();
  private final RecordingAgentProvider sharedProvider =
      RecordingAgentProvider.sharedByReplicas("recording:shared-namespace", Duration.ofMinutes(2));
  private final String cluster = "cluster-" + UUID.randomUUID();
  private DataSource database;
  private AgentServices services;

  private void on(Supplier<DataSource> databases) {
    database = databases.get();
    services = new AgentServices(database, provider, clock, AgentServices.properties(10, 10));
  }

  /** A service whose provider's scope every replica shares, as one Kubernetes namespace. */
  private void onASharedScope(Supplier<DataSource> databases) {
    database = databases.get();
    services = new AgentServices(database, sharedProvider, clock, AgentServices.properties(10, 10));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void adoptsTheAgentsThatStillRunAsTheyAre(String name, Supplier<DataSource> databases) {
    on(databases);
    CreateAgentRequest busyRequest = request(Map.of());
    String pending = services.created(busyRequest);
    CreateAgentRequest idleRequest = request(Map.of());
    String idle = services.created(idleRequest);
    services.jobCompleted(idle, idleRequest);

    AgentReconciliation.Reconciled reconciled = services.reconciliation.reconcile();

    assertThat(reconciled).isEqualTo(new AgentReconciliation.Reconciled(2, 0, 0, 0, 0));
    assertThat(services.state(pending)).isEqualTo(AgentState.PENDING);
    assertThat(services.state(idle)).isEqualTo(AgentState.IDLE);
    assertThat(provider.callsFor(pending)).containsExactly("launch " + pending);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void terminatesInTheRegistryTheAgentsWhoseProcessIsGone(
      String name, Supplier<DataSource> databases) {
    on(databases);
    String agent = services.created(request(Map.of()));
    provider.crash(agent);

    AgentReconciliation.Reconciled reconciled = services.reconciliation.reconcile();

    assertThat(reconciled.gone()).isEqualTo(1);
    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED);
    assertThat(terminationReason(agent)).isEqualTo("its process was gone when the service started");
    assertThat(terminations("gone")).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void neverHandsOutAnIdleAgentWhoseProcessEndedWhileTheServiceWasDown(
      String name, Supplier<DataSource> databases) {
    on(databases);
    CreateAgentRequest first = request(Map.of());
    String gone = services.created(first);
    services.jobCompleted(gone, first);
    provider.crash(gone);

    services.reconciliation.reconcile();
    RecordedDecision next =
        services.lifecycle.createAgent(request(Map.of()), AgentServices.createAgentJob());

    assertThat(next.outcome()).isEqualTo(DecisionOutcome.CREATED);
    assertThat(next.agentId()).isPresent().get().isNotEqualTo(gone);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void freesAReservationWhoseLaunchNeverHappened(String name, Supplier<DataSource> databases) {
    on(databases);
    DecisionKey job = AgentServices.createAgentJob();
    CreateAgentRequest request = request(Map.of());
    String reserved =
        services.registry.decide(services.demand(request, job)).agentId().orElseThrow();

    AgentReconciliation.Reconciled reconciled = services.reconciliation.reconcile();

    assertThat(reconciled.gone()).isEqualTo(1);
    assertThat(services.state(reserved)).isEqualTo(AgentState.TERMINATED);
    assertThat(terminationReason(reserved))
        .isEqualTo("its launch never happened: the service stopped first");
    assertThat(terminations("gone")).isEqualTo(1);
    // The redelivered job decides again rather than replay an agent that never ran.
    RecordedDecision redelivered = services.lifecycle.createAgent(request, job);
    assertThat(redelivered.outcome()).isEqualTo(DecisionOutcome.CREATED);
    assertThat(redelivered.agentId()).isPresent().get().isNotEqualTo(reserved);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void leavesAloneAnAgentReservedWhileItAsksTheProviderWhatRuns(
      String name, Supplier<DataSource> databases) {
    on(databases);
    AtomicReference<String> reserved = new AtomicReference<>();
    provider.onNextListing(() -> reserved.set(reserve(request(Map.of()))));

    AgentReconciliation.Reconciled reconciled = services.reconciliation.reconcile();

    assertThat(reconciled.gone()).as("agents terminated as gone").isZero();
    assertThat(services.state(reserved.get())).isEqualTo(AgentState.PENDING);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void leavesAloneAnAgentLaunchedWhileItAsksTheProviderWhatRuns(
      String name, Supplier<DataSource> databases) {
    on(databases);
    AtomicReference<String> launched = new AtomicReference<>();
    provider.onNextListing(() -> launched.set(services.created(request(Map.of()))));

    AgentReconciliation.Reconciled reconciled = services.reconciliation.reconcile();

    assertThat(reconciled.unknown()).as("processes terminated as unknown").isZero();
    assertThat(services.state(launched.get())).isEqualTo(AgentState.PENDING);
    assertThat(provider.running()).contains(launched.get());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void
      leavesAnAgentOfASharedScopeThatIsNotRunningYetToCleanupWhileAnotherReplicaMayStillBeLaunchingIt(
          String name, Supplier<DataSource> databases) {
    onASharedScope(databases);
    String reserved = reserve(request(Map.of()));
    clock.advance(Duration.ofMinutes(1));

    AgentReconciliation.Reconciled reconciled = services.reconciliation.reconcile();

    assertThat(reconciled.leftToCleanup()).isEqualTo(1);
    assertThat(services.state(reserved)).isEqualTo(AgentState.PENDING);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void terminatesAnAgentOfASharedScopeThatIsNotRunningOnceItIsOlderThanTheLaunchGrace(
      String name, Supplier<DataSource> databases) {
    onASharedScope(databases);
    String agent = services.created(request(Map.of()));
    sharedProvider.crash(agent);
    clock.advance(Duration.ofMinutes(2).plusSeconds(1));

    AgentReconciliation.Reconciled reconciled = services.reconciliation.reconcile();

    assertThat(reconciled.gone()).isEqualTo(1);
    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED);
    assertThat(terminationReason(agent)).isEqualTo("its process was gone when the service started");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void neverTerminatesAnAgentOfASharedScopeBeforeCleanupWouldMissItsProcess(
      String name, Supplier<DataSource> databases) {
    database = databases.get();
    RecordingAgentProvider quick =
        RecordingAgentProvider.sharedByReplicas(
            "recording:shared-namespace", Duration.ofSeconds(10));
    services = new AgentServices(database, quick, clock, AgentServices.properties(10, 10));
    String agent = services.created(request(Map.of()));
    quick.crash(agent);
    clock.advance(quick.listingDelay().minusSeconds(1));

    AgentReconciliation.Reconciled reconciled = services.reconciliation.reconcile();

    assertThat(reconciled.leftToCleanup()).isEqualTo(1);
    assertThat(services.state(agent)).isEqualTo(AgentState.PENDING);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void countsTheAgentsItLeftToCleanupInMetrics(String name, Supplier<DataSource> databases) {
    onASharedScope(databases);
    reserve(request(Map.of()));

    services.reconciliation.start();

    assertThat(
            services
                .meters
                .counter("elastic.agents.reconciled", "result", "left-to-cleanup")
                .count())
        .isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void finishesATerminationTheServiceClaimedBeforeItStopped(
      String name, Supplier<DataSource> databases) {
    on(databases);
    String agent = services.created(request(Map.of()));
    assertThat(
            services.terminator.claim(
                services.agent(agent),
                new Termination(TerminationKind.IDLE_TIMEOUT, "idle longer than PT10M")))
        .isTrue();

    AgentReconciliation.Reconciled reconciled = services.reconciliation.reconcile();

    assertThat(reconciled.terminationsFinished()).isEqualTo(1);
    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED);
    assertThat(terminations("taken-over")).isEqualTo(1);
    assertThat(terminations("idle-timeout")).as("not the kind of the claim it took over").isZero();
    assertThat(provider.running()).doesNotContain(agent);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void terminatesProcessesThatTheRegistryDoesNotHoldLive(
      String name, Supplier<DataSource> databases) {
    on(databases);
    provider.leak("GoCDleaked");

    AgentReconciliation.Reconciled reconciled = services.reconciliation.reconcile();

    assertThat(reconciled.unknown()).isEqualTo(1);
    assertThat(provider.calls())
        .containsSubsequence("disable GoCDleaked", "terminate GoCDleaked", "delete GoCDleaked");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void leavesTheAgentsOfOtherInstancesAlone(String name, Supplier<DataSource> databases) {
    on(databases);
    AgentServices other =
        new AgentServices(
            database,
            new RecordingAgentProvider("recording:instance-b"),
            clock,
            AgentServices.properties(10, 10));
    String theirs = other.created(request(Map.of()));

    AgentReconciliation.Reconciled reconciled = services.reconciliation.reconcile();

    assertThat(reconciled).isEqualTo(new AgentReconciliation.Reconciled(0, 0, 0, 0, 0));
    assertThat(services.state(theirs)).isEqualTo(AgentState.PENDING);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void countsWhatItDidInMetrics(String name, Supplier<DataSource> databases) {
    on(databases);
    services.created(request(Map.of()));
    provider.crash(services.created(request(Map.of())));
    provider.leak("GoCDleaked");

    services.reconciliation.start();

    assertThat(services.meters.counter("elastic.agents.reconciled", "result", "adopted").count())
        .isEqualTo(1);
    assertThat(services.meters.counter("elastic.agents.reconciled", "result", "gone").count())
        .isEqualTo(1);
    assertThat(services.meters.counter("elastic.agents.reconciled", "result", "unknown").count())
        .isEqualTo(1);
  }

  @Test
  void runsBeforeTheJobWorkersOpen() {
    on(RegistryDatabases::newH2Database);

    assertThat(services.reconciliation.getPhase()).isLessThan(JobWorkerRegistrar.PHASE);
  }

  /** Reserves an agent for the request, as a create-agent job does before it launches it. */
  private String reserve(CreateAgentRequest request) {
    return services
        .registry
        .decide(services.demand(request, AgentServices.createAgentJob()))
        .agentId()
        .orElseThrow();
  }

  private String terminationReason(String agentId) {
    return JdbcClient.create(database)
        .sql("select termination_reason from agents where id = ?")
        .param(agentId)
        .query(String.class)
        .single();
  }

  private CreateAgentRequest request(Map<String, String> profile) {
    return AgentServices.request(cluster, JOB_IDS.incrementAndGet(), profile);
  }

  /** Finished terminations counted under {@code kind}, the metric's reason tag. */
  private double terminations(String kind) {
    return services.meters.counter("elastic.agents.terminations", "reason", kind).count();
  }
}
