package dev.elasticagents.agent.lifecycle;

import static dev.elasticagents.testing.AgentServices.offer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.AutoRegisterKey;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.DecisionKey;
import dev.elasticagents.agent.DecisionOutcome;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.RecordedDecision;
import dev.elasticagents.agent.ReleaseOutcome;
import dev.elasticagents.agent.ReleaseRequest;
import dev.elasticagents.agent.Termination;
import dev.elasticagents.agent.TerminationKind;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.LockWaits;
import dev.elasticagents.testing.MovableClock;
import dev.elasticagents.testing.Pause;
import dev.elasticagents.testing.PausingDataSource;
import dev.elasticagents.testing.RecordingAgentProvider;
import dev.elasticagents.testing.RegistryDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The races of the agent lifecycle, each played as one deterministic interleaving: a step is held
 * at a pause point (a provider call, or just before a SQL write) while another step runs, or until
 * the database reports the other step waiting for the lock the held one has, then let go. In every
 * race the loser's transition is refused, and no agent is killed or given to two jobs. On real
 * PostgreSQL and on the embedded default (H2).
 */
class AgentRaceTest {

  private static final AtomicInteger JOB_IDS = new AtomicInteger(9000);

  /** The compare-and-set that gives an idle agent another job. */
  private static final String REUSE = "idle_since = null, job_key = ?";

  /** The compare-and-set that keeps an agent idle. */
  private static final String KEEP_IDLE = "idle_since = ?, registered_at = coalesce";

  static Stream<Arguments> databases() {
    return Stream.of(
        Arguments.of("PostgreSQL", (Supplier<DataSource>) RegistryDatabases::newPostgresDatabase),
        Arguments.of("H2", (Supplier<DataSource>) RegistryDatabases::newH2Database));
  }

  private final MovableClock clock = new MovableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final RecordingAgentProvider provider = new RecordingAgentProvider();
  private final ExecutorService other = Executors.newSingleThreadExecutor();
  private final String cluster = "cluster-" + UUID.randomUUID();
  private PausingDataSource database;
  private AgentServices services;

  @AfterEach
  void stopOtherThread() {
    other.shutdownNow();
  }

  private void on(Supplier<DataSource> databases) {
    database = new PausingDataSource(databases.get());
    services = new AgentServices(database, provider, clock, AgentServices.properties(10, 10));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void cleanupThatReadAnIdleAgentBeforeItWasReusedNeitherClaimsNorKillsIt(
      String name, Supplier<DataSource> databases) {
    on(databases);
    String agent = idleAgentPastItsIdleTimeout();
    Pause afterReading = Pause.once();
    provider.pauseBeforeListing(afterReading);

    CompletableFuture<RecordedDecision> cleanup =
        inOtherThread(() -> services.cleanup.cleanUp(List.of(), AgentServices.cleanupJob()));
    afterReading.awaitReached();
    RecordedDecision reuse =
        services.lifecycle.createAgent(request(), AgentServices.createAgentJob());
    afterReading.release();

    assertThat(reuse.outcome()).isEqualTo(DecisionOutcome.REUSED);
    assertThat(reuse.agentId()).contains(agent);
    assertThat(join(cleanup).variables().get("cleaned_up_agents")).isEqualTo(List.of());
    assertThat(services.state(agent)).isEqualTo(AgentState.BUSY);
    assertThat(provider.callsFor(agent)).doesNotContain("terminate " + agent);
    assertThat(refused("claim-termination")).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aReuseThatReadAnIdleAgentBeforeCleanupClaimedItPassesItOverAndCreatesAnother(
      String name, Supplier<DataSource> databases) {
    on(databases);
    String agent = idleAgentPastItsIdleTimeout();
    Pause beforeTakingIt = Pause.once();
    database.pauseBefore(sql -> sql.contains(REUSE), beforeTakingIt);

    CompletableFuture<RecordedDecision> reuse =
        inOtherThread(
            () -> services.lifecycle.createAgent(request(), AgentServices.createAgentJob()));
    beforeTakingIt.awaitReached();
    RecordedDecision cleanup = services.cleanup.cleanUp(List.of(), AgentServices.cleanupJob());
    beforeTakingIt.release();

    assertThat(cleanup.variables().toString()).contains(agent);
    RecordedDecision decision = join(reuse);
    assertThat(decision.outcome()).isEqualTo(DecisionOutcome.CREATED);
    assertThat(decision.agentId()).isPresent().isNotEqualTo(Optional.of(agent));
    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED);
    assertThat(refused("reuse")).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void shouldAssignWorkThatReadAnIdleAgentBeforeCleanupClaimedItNeitherTakesNorRevivesIt(
      String name, Supplier<DataSource> databases) {
    on(databases);
    String agent = idleAgentPastItsIdleTimeout();
    CreateAgentRequest waitingJob = request();
    Pause beforeTakingIt = Pause.once();
    database.pauseBefore(sql -> sql.contains(REUSE), beforeTakingIt);

    CompletableFuture<Boolean> assignment =
        inOtherThread(() -> services.lifecycle.shouldAssignWork(offer(agent, waitingJob)));
    beforeTakingIt.awaitReached();
    RecordedDecision cleanup = services.cleanup.cleanUp(List.of(), AgentServices.cleanupJob());
    beforeTakingIt.release();

    assertThat(cleanup.variables().toString()).contains(agent);
    assertThat(join(assignment)).isFalse();
    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED);
    assertThat(services.registry.agentOf(waitingJob.jobIdentifier().orElseThrow())).isEmpty();
    assertThat(refused("reuse")).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aReSentRequestForAJobWithAnAgentIsAnsweredWhileAnotherJobsDecisionHoldsTheClusterProfileLock(
      String name, Supplier<DataSource> databases) throws Exception {
    on(databases);
    CreateAgentRequest waitingJob = request();
    String agent =
        services
            .lifecycle
            .createAgent(waitingJob, AgentServices.createAgentJob())
            .agentId()
            .orElseThrow();

    RecordedDecision answer =
        whileAnotherJobsDecisionHoldsTheLock(
            () -> services.lifecycle.createAgent(waitingJob, AgentServices.createAgentJob()));

    assertThat(answer.outcome()).isEqualTo(DecisionOutcome.ALREADY_CREATED);
    assertThat(answer.agentId()).contains(agent);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aRedeliveredJobIsReplayedWhileAnotherJobsDecisionHoldsTheClusterProfileLock(
      String name, Supplier<DataSource> databases) throws Exception {
    on(databases);
    CreateAgentRequest waitingJob = request();
    services.lifecycle.createAgent(waitingJob, AgentServices.createAgentJob());
    DecisionKey reSent = AgentServices.createAgentJob();
    RecordedDecision first = services.lifecycle.createAgent(waitingJob, reSent);

    RecordedDecision redelivered =
        whileAnotherJobsDecisionHoldsTheLock(
            () -> services.lifecycle.createAgent(waitingJob, reSent));

    assertThat(redelivered.variables()).isEqualTo(first.variables());
    assertThat(replayed()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void twoDeliveriesOfAReSentRequestAtOnceRecordOneDecisionAndAnswerAlike(
      String name, Supplier<DataSource> databases) {
    on(databases);
    CreateAgentRequest waitingJob = request();
    services.lifecycle.createAgent(waitingJob, AgentServices.createAgentJob());
    DecisionKey reSent = AgentServices.createAgentJob();
    Pause beforeRecording = Pause.once();
    database.pauseBefore(sql -> sql.strip().startsWith("insert into decisions"), beforeRecording);

    CompletableFuture<RecordedDecision> first =
        inOtherThread(() -> services.lifecycle.createAgent(waitingJob, reSent));
    beforeRecording.awaitReached();
    RecordedDecision second = services.lifecycle.createAgent(waitingJob, reSent);
    beforeRecording.release();

    assertThat(second.outcome()).isEqualTo(DecisionOutcome.ALREADY_CREATED);
    assertThat(join(first).variables()).isEqualTo(second.variables());
    assertThat(replayed()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void
      aReSentRequestAdoptsTheAgentShouldAssignWorkGaveItsJobWhileAnotherJobsDecisionHoldsTheClusterProfileLock(
          String name, Supplier<DataSource> databases) throws Exception {
    on(databases);
    String idle = idleAgent();
    CreateAgentRequest waitingJob = request();
    assertThat(services.lifecycle.shouldAssignWork(offer(idle, waitingJob))).isTrue();

    RecordedDecision adopted =
        whileAnotherJobsDecisionHoldsTheLock(
            () -> services.lifecycle.createAgent(waitingJob, AgentServices.createAgentJob()));

    assertThat(adopted.outcome()).isEqualTo(DecisionOutcome.REUSED);
    assertThat(adopted.agentId()).contains(idle);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aCreateAgentDecisionWaitingForShouldAssignWorkOfItsJobAdoptsTheAgentGivenToTheJob(
      String name, Supplier<DataSource> databases) {
    on(databases);
    String idle = idleAgent();
    CreateAgentRequest waitingJob = request();
    Pause beforeGivingIt = Pause.once();
    database.pauseBefore(sql -> sql.contains(REUSE), beforeGivingIt);

    CompletableFuture<Boolean> assignment =
        inOtherThread(() -> services.lifecycle.shouldAssignWork(offer(idle, waitingJob)));
    beforeGivingIt.awaitReached();
    CompletableFuture<RecordedDecision> decision =
        CompletableFuture.supplyAsync(
            () -> services.lifecycle.createAgent(waitingJob, AgentServices.createAgentJob()));
    LockWaits.awaitASessionWaitingForALock(database);
    beforeGivingIt.release();

    assertThat(join(assignment)).isTrue();
    RecordedDecision adopted = join(decision);
    assertThat(adopted.outcome()).isEqualTo(DecisionOutcome.REUSED);
    assertThat(adopted.agentId()).contains(idle);
    assertThat(provider.launched()).containsOnlyKeys(idle);
    assertThat(services.registry.agentOf(waitingJob.jobIdentifier().orElseThrow())).contains(idle);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aShouldAssignWorkWaitingForACreateAgentDecisionOfItsJobGivesItNoSecondAgent(
      String name, Supplier<DataSource> databases) {
    on(databases);
    CreateAgentRequest firstJob = request();
    CreateAgentRequest secondJob = request();
    String longestIdle = services.created(firstJob);
    String offered = services.created(secondJob);
    services.registry.markRegistered(List.of(longestIdle, offered));
    services.jobCompleted(longestIdle, firstJob);
    clock.advance(Duration.ofSeconds(1));
    services.jobCompleted(offered, secondJob);
    CreateAgentRequest waitingJob = request();
    Pause beforeReusing = Pause.once();
    database.pauseBefore(sql -> sql.contains(REUSE), beforeReusing);

    CompletableFuture<RecordedDecision> decision =
        inOtherThread(
            () -> services.lifecycle.createAgent(waitingJob, AgentServices.createAgentJob()));
    beforeReusing.awaitReached();
    CompletableFuture<Boolean> assignment =
        CompletableFuture.supplyAsync(
            () -> services.lifecycle.shouldAssignWork(offer(offered, waitingJob)));
    LockWaits.awaitASessionWaitingForALock(database);
    beforeReusing.release();

    assertThat(join(decision).agentId()).contains(longestIdle);
    assertThat(join(assignment)).isFalse();
    assertThat(services.state(offered)).isEqualTo(AgentState.IDLE);
    assertThat(services.registry.agentOf(waitingJob.jobIdentifier().orElseThrow()))
        .contains(longestIdle);
  }

  /**
   * Runs {@code decision} while a decision for another job holds the cluster profile's lock (held
   * just before it reserves its agent), and returns its answer. Were it to wait for the lock, it
   * would wait until the hold ends, after the bound.
   */
  private RecordedDecision whileAnotherJobsDecisionHoldsTheLock(Supplier<RecordedDecision> decision)
      throws Exception {
    Pause holdingTheLock = Pause.once();
    database.pauseBefore(sql -> sql.startsWith("insert into agents"), holdingTheLock);
    CompletableFuture<RecordedDecision> newJob =
        inOtherThread(
            () -> services.lifecycle.createAgent(request(), AgentServices.createAgentJob()));
    holdingTheLock.awaitReached();
    RecordedDecision answer;
    try {
      answer = CompletableFuture.supplyAsync(decision).get(20, TimeUnit.SECONDS);
    } finally {
      holdingTheLock.release();
    }
    assertThat(join(newJob).outcome()).isEqualTo(DecisionOutcome.CREATED);
    return answer;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void twoCleanupsRacingForOneAgentTerminateItOnce(String name, Supplier<DataSource> databases) {
    on(databases);
    String agent = idleAgentPastItsIdleTimeout();
    AgentServices secondInstanceOnTheSameHost =
        new AgentServices(database, provider, clock, AgentServices.properties(10, 10));
    Pause afterReading = Pause.once();
    provider.pauseBeforeListing(afterReading);

    CompletableFuture<RecordedDecision> first =
        inOtherThread(() -> services.cleanup.cleanUp(List.of(), AgentServices.cleanupJob()));
    afterReading.awaitReached();
    RecordedDecision second =
        secondInstanceOnTheSameHost.cleanup.cleanUp(List.of(), AgentServices.cleanupJob());
    afterReading.release();

    assertThat(second.variables().toString()).contains(agent);
    assertThat(join(first).variables().get("cleaned_up_agents")).isEqualTo(List.of());
    assertThat(provider.callsFor(agent)).containsOnlyOnce("terminate " + agent);
    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void anAgentBeingTerminatedIsNeitherReusedNorReleasedBackToIdle(
      String name, Supplier<DataSource> databases) {
    on(databases);
    CreateAgentRequest first = request();
    String agent = services.created(first);
    services.registry.markRegistered(List.of(agent));
    Pause whileTerminating = Pause.once();
    provider.pauseBeforeTerminate(whileTerminating);

    CompletableFuture<Boolean> termination =
        inOtherThread(
            () ->
                services.terminator.terminate(
                    services.agent(agent),
                    new Termination(TerminationKind.OTHER, "operator asked")));
    whileTerminating.awaitReached();
    RecordedDecision reuse =
        services.lifecycle.createAgent(request(), AgentServices.createAgentJob());
    RecordedDecision lateCompletion = services.jobCompleted(agent, first);
    whileTerminating.release();

    assertThat(join(termination)).isTrue();
    assertThat(reuse.outcome()).isEqualTo(DecisionOutcome.CREATED);
    assertThat(reuse.agentId()).isNotEqualTo(Optional.of(agent));
    assertThat(lateCompletion.variables())
        .containsEntry("completion_reason", "agent already terminated");
    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aReleaseThatReadABusyAgentBeforeItsTerminationWasClaimedDoesNotBringItBackToIdle(
      String name, Supplier<DataSource> databases) {
    on(databases);
    CreateAgentRequest job = request();
    String agent = services.created(job);
    services.registry.markRegistered(List.of(agent));
    Pause beforeKeepingIdle = Pause.once();
    database.pauseBefore(sql -> sql.contains(KEEP_IDLE), beforeKeepingIdle);

    CompletableFuture<RecordedDecision> release =
        inOtherThread(() -> services.jobCompleted(agent, job));
    beforeKeepingIdle.awaitReached();
    boolean terminated =
        services.terminator.terminate(
            services.agent(agent), new Termination(TerminationKind.OTHER, "operator asked"));
    beforeKeepingIdle.release();

    assertThat(terminated).isTrue();
    assertThat(join(release).variables())
        .containsEntry("completion_reason", "agent already terminated");
    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED);
    assertThat(refused("keep-idle")).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aStaleDeliveryOfAJobCompletionDoesNotFreeAnAgentThatServesTheNextJob(
      String name, Supplier<DataSource> databases) {
    on(databases);
    CreateAgentRequest jobA = request();
    String agent = services.created(jobA);
    Agent servingA = services.agent(agent);
    DecisionKey completionOfA = AgentServices.jobCompletionJob();
    ReleaseRequest releaseA =
        new ReleaseRequest(
            agent,
            servingA.assignment(),
            jobA.jobIdentifier().map(JobIdentifier::jobId),
            ReleaseRequest.Cause.JOB_COMPLETED);
    Pause beforeKeepingIdle = Pause.once();
    database.pauseBefore(sql -> sql.contains(KEEP_IDLE), beforeKeepingIdle);

    // A worker whose activation timed out still runs; Zeebe gave the same job to another worker.
    CompletableFuture<RecordedDecision> stale =
        inOtherThread(() -> services.lifecycle.release(releaseA, completionOfA));
    beforeKeepingIdle.awaitReached();
    RecordedDecision current = services.lifecycle.release(releaseA, completionOfA);
    RecordedDecision jobB =
        services.lifecycle.createAgent(request(), AgentServices.createAgentJob());
    beforeKeepingIdle.release();

    assertThat(current.variables()).containsEntry("completion_decision", "KEPT");
    assertThat(jobB.outcome()).isEqualTo(DecisionOutcome.REUSED);
    RecordedDecision staleDecision = join(stale);
    assertThat(staleDecision.replayed()).isTrue();
    assertThat(staleDecision.variables()).isEqualTo(current.variables());
    Agent servingB = services.agent(agent);
    assertThat(servingB.state()).isEqualTo(AgentState.BUSY);
    assertThat(servingB.assignment()).isNotEqualTo(servingA.assignment());
    assertThat(refused("keep-idle")).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void cleanupLeavesAnAgentThatIsBeingLaunchedAlone(String name, Supplier<DataSource> databases) {
    on(databases);
    Pause inLaunch = Pause.once();
    provider.pauseBeforeLaunch(inLaunch);

    CompletableFuture<RecordedDecision> creation =
        inOtherThread(
            () -> services.lifecycle.createAgent(request(), AgentServices.createAgentJob()));
    inLaunch.awaitReached();
    clock.advance(Duration.ofMinutes(5));
    RecordedDecision cleanup = services.cleanup.cleanUp(List.of(), AgentServices.cleanupJob());
    inLaunch.release();

    String agent = join(creation).agentId().orElseThrow();
    assertThat(cleanup.variables().get("cleaned_up_agents")).isEqualTo(List.of());
    assertThat(services.agent(agent).isLaunched()).isTrue();
    assertThat(provider.running()).contains(agent);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void twoDeliveriesOfOneCreateAgentJobAtOnceGiveItOneAgent(
      String name, Supplier<DataSource> databases) {
    on(databases);
    CreateAgentRequest request = request();
    DecisionKey job = AgentServices.createAgentJob();
    Pause inLaunch = Pause.once();
    provider.pauseBeforeLaunch(inLaunch);

    CompletableFuture<RecordedDecision> first =
        inOtherThread(() -> services.lifecycle.createAgent(request, job));
    inLaunch.awaitReached();
    RecordedDecision second = services.lifecycle.createAgent(request, job);
    inLaunch.release();

    assertThat(join(first).variables()).isEqualTo(second.variables());
    assertThat(provider.launched()).containsOnlyKeys(second.agentId().orElseThrow());
    assertThat(services.registry.agentsAssignedTo(request.jobIdentifier().orElseThrow()))
        .hasSize(1);
  }

  private String idleAgentPastItsIdleTimeout() {
    String agent = idleAgent();
    clock.advance(Duration.ofMinutes(11));
    return agent;
  }

  /** An agent whose job completed and that is kept for another job of its profile. */
  private String idleAgent() {
    CreateAgentRequest request = request();
    String agent = services.created(request);
    services.registry.markRegistered(List.of(agent));
    assertThat(services.jobCompleted(agent, request).outcome()).isEqualTo(ReleaseOutcome.KEPT);
    return agent;
  }

  private double replayed() {
    return services
        .meters
        .counter("elastic.agents.decisions.replayed", "type", "create-agent")
        .count();
  }

  private double refused(String transition) {
    return services
        .meters
        .counter("elastic.agents.transitions.refused", "transition", transition)
        .count();
  }

  private <T> CompletableFuture<T> inOtherThread(Supplier<T> step) {
    return CompletableFuture.supplyAsync(step, other);
  }

  private static <T> T join(CompletableFuture<T> step) {
    try {
      return step.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the other step failed", e);
    }
  }

  private CreateAgentRequest request() {
    int job = JOB_IDS.incrementAndGet();
    return new CreateAgentRequest(
        new AutoRegisterKey("secret-key"),
        "production",
        Map.of("image", "gocd-agent"),
        Map.of("id", cluster),
        Optional.of(AgentServices.jobIdentifierOf(job)),
        0);
  }
}
