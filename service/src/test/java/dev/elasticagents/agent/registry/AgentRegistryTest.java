package dev.elasticagents.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentId;
import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.CapacityGrant;
import dev.elasticagents.agent.ClusterProfile;
import dev.elasticagents.agent.DecisionKey;
import dev.elasticagents.agent.DecisionOutcome;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.RecordedDecision;
import dev.elasticagents.agent.Termination;
import dev.elasticagents.agent.TerminationKind;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.CountingDataSource;
import dev.elasticagents.testing.RegistryDatabases;
import java.time.Duration;
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

/**
 * The registry's decisions and transitions, on real PostgreSQL and on the embedded default (H2).
 */
class AgentRegistryTest {

  private static final DataSource POSTGRES = RegistryDatabases.newPostgresDatabase();
  private static final DataSource H2 = RegistryDatabases.newH2Database();
  private static final String OWNER = "recording:instance-a";
  private static final AtomicInteger JOB_IDS = new AtomicInteger(1000);

  static Stream<Arguments> databases() {
    return Stream.of(Arguments.of("PostgreSQL", POSTGRES), Arguments.of("H2", H2));
  }

  private final AgentProfile linux = new AgentProfile("production", Map.of("image", "linux"), true);
  private final AgentProfile windows =
      new AgentProfile("production", Map.of("image", "windows"), true);

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void createsAPendingAgentForANewJob(String name, DataSource database) {
    AgentRegistry registry = AgentServices.registryOn(database);
    ClusterProfile cluster = cluster(2, 2);

    RecordedDecision decision = decide(registry, job(), cluster, linux);

    assertThat(decision.outcome()).isEqualTo(DecisionOutcome.CREATED);
    Agent agent = registry.find(agentOf(decision)).orElseThrow();
    assertThat(agent.state()).isEqualTo(AgentState.PENDING);
    assertThat(agent.owner()).isEqualTo(OWNER);
    assertThat(agent.isLaunched()).isFalse();
    assertThat(registry.runningAgents(cluster.id())).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void theSameJobAskingAgainGetsItsRecordedDecisionAndAnotherLifecycleGetsAlreadyCreated(
      String name, DataSource database) {
    AgentRegistry registry = AgentServices.registryOn(database);
    ClusterProfile cluster = cluster(2, 2);
    JobIdentifier job = job();
    DecisionKey key = AgentServices.createAgentJob();

    RecordedDecision first = registry.decide(demand(key, job, cluster, linux));
    RecordedDecision redelivered = registry.decide(demand(key, job, cluster, linux));
    RecordedDecision other = decide(registry, job, cluster, linux);

    assertThat(first.replayed()).isFalse();
    assertThat(redelivered)
        .isEqualTo(
            new RecordedDecision(
                first.outcome(), first.agentId(), first.jobKey(), first.variables(), true));
    assertThat(other.outcome()).isEqualTo(DecisionOutcome.ALREADY_CREATED);
    assertThat(other.agentId()).isEqualTo(first.agentId());
    assertThat(registry.runningAgents(cluster.id())).isEqualTo(1);
    assertThat(registry.agentsAssignedTo(job)).containsExactly(agentOf(first));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aReSentRequestOfAJobWhoseAgentIsTerminatingGetsANewAgent(String name, DataSource database) {
    AgentRegistry registry = AgentServices.registryOn(database);
    ClusterProfile cluster = cluster(3, 3);
    JobIdentifier job = job();
    String terminating = agentOf(decide(registry, job, cluster, linux));
    assertThat(
            registry.claimTermination(
                registry.find(terminating).orElseThrow(),
                OWNER,
                new Termination(TerminationKind.OTHER, "test")))
        .isTrue();

    RecordedDecision resent = decide(registry, job, cluster, linux);

    assertThat(resent.outcome()).isEqualTo(DecisionOutcome.CREATED);
    assertThat(resent.agentId()).isPresent().get().isNotEqualTo(terminating);
    assertThat(registry.agentsAssignedTo(job)).containsExactly(terminating, agentOf(resent));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aReSentRequestOfAJobThatHasItsAgentTakesTwoStatementsAndNoTransaction(
      String name, DataSource database) {
    CountingDataSource counted = new CountingDataSource(database);
    AgentRegistry registry = AgentServices.registryOn(counted);
    ClusterProfile cluster = cluster(2, 2);
    JobIdentifier job = job();
    RecordedDecision first = decide(registry, job, cluster, linux);
    counted.reset();

    RecordedDecision resent = decide(registry, job, cluster, linux);

    assertThat(resent.outcome()).isEqualTo(DecisionOutcome.ALREADY_CREATED);
    assertThat(resent.agentId()).isEqualTo(first.agentId());
    assertThat(counted.statements()).isEqualTo(2);
    assertThat(counted.transactions()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void reusesAnIdleAgentOfTheSameProfileOnly(String name, DataSource database) {
    AgentRegistry registry = AgentServices.registryOn(database);
    ClusterProfile cluster = cluster(5, 5);
    String idle = agentOf(decide(registry, job(), cluster, linux));
    assertThat(registry.keepIdle(registry.find(idle).orElseThrow())).isTrue();

    RecordedDecision other = decide(registry, job(), cluster, windows);
    DecisionKey key = AgentServices.createAgentJob();
    RecordedDecision same = registry.decide(demand(key, job(), cluster, linux));

    assertThat(other.outcome()).isEqualTo(DecisionOutcome.CREATED);
    assertThat(same.outcome()).isEqualTo(DecisionOutcome.REUSED);
    assertThat(same.agentId()).contains(idle);
    Agent reused = registry.find(idle).orElseThrow();
    assertThat(reused.state()).isEqualTo(AgentState.BUSY);
    assertThat(reused.assignment()).contains(key.value());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void declinesWhenTheClusterProfileRunsItsMaximumIdleAgentsIncluded(
      String name, DataSource database) {
    AgentRegistry registry = AgentServices.registryOn(database);
    ClusterProfile cluster = cluster(2, 5);
    decide(registry, job(), cluster, linux);
    String idle = agentOf(decide(registry, job(), cluster, linux));
    registry.keepIdle(registry.find(idle).orElseThrow());

    RecordedDecision decision = decide(registry, job(), cluster, windows);

    assertThat(decision.variables())
        .containsEntry("agent_decision", "DECLINED")
        .containsEntry(
            "decline_reason",
            "cluster profile '%s' is at its maximum of 2 running agents".formatted(cluster.id()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void anApprovedGrantCreatesOneAgentBeyondTheMaximumForItsJobAndProfileOnly(
      String name, DataSource database) {
    AgentRegistry registry = AgentServices.registryOn(database);
    ClusterProfile cluster = cluster(1, 5);
    decide(registry, job(), cluster, linux);
    JobIdentifier approved = job();
    registry.grantCapacity(
        new CapacityGrant(
            "task-" + UUID.randomUUID(), approved.jobId(), cluster.id(), linux.key(), 3));

    RecordedDecision otherProfile = decide(registry, approved, cluster, windows);
    RecordedDecision otherJob = decide(registry, job(), cluster, linux);
    RecordedDecision granted = decide(registry, approved, cluster, linux);

    assertThat(otherProfile.outcome()).isEqualTo(DecisionOutcome.DECLINED);
    assertThat(otherJob.outcome()).isEqualTo(DecisionOutcome.DECLINED);
    assertThat(granted.outcome()).isEqualTo(DecisionOutcome.CREATED);
    assertThat(registry.runningAgents(cluster.id())).isEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aGrantIsUsedOnceAndCheckedAgainstItsLimitWhenTheAgentIsCreated(
      String name, DataSource database) {
    AgentRegistry registry = AgentServices.registryOn(database);
    ClusterProfile cluster = cluster(1, 5);
    String first = agentOf(decide(registry, job(), cluster, linux));
    JobIdentifier approved = job();
    String grant = "task-" + UUID.randomUUID();
    registry.grantCapacity(
        new CapacityGrant(grant, approved.jobId(), cluster.id(), linux.key(), 2));
    assertThat(
            registry.grantCapacity(
                new CapacityGrant(grant, approved.jobId(), cluster.id(), linux.key(), 2)))
        .isFalse();
    // Another agent makes two: the grant's limit is reached by the time create-agent runs.
    registry.decide(
        demand(AgentServices.createAgentJob(), job(), cluster(10, 5, cluster.id()), linux));

    RecordedDecision overLimit = decide(registry, approved, cluster, linux);
    terminate(registry, first);
    RecordedDecision withinLimit = decide(registry, approved, cluster, linux);
    registry.markLaunched(agentOf(withinLimit));
    terminate(registry, agentOf(withinLimit));
    RecordedDecision again = decide(registry, approved, cluster, linux);

    assertThat(overLimit.variables().get("decline_reason"))
        .isEqualTo(
            "cluster profile '%s' is at its maximum of 1 running agents, and the approved override allows at most 2"
                .formatted(cluster.id()));
    assertThat(withinLimit.outcome()).isEqualTo(DecisionOutcome.CREATED);
    assertThat(again.variables().get("decline_reason"))
        .isEqualTo(
            "cluster profile '%s' is at its maximum of 1 running agents".formatted(cluster.id()));
    assertThat(registry.runningAgents(cluster.id())).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aGrantWhoseReservationIsTerminatedBeforeItLaunchedServesTheNextDecision(
      String name, DataSource database) {
    AgentRegistry registry = AgentServices.registryOn(database);
    ClusterProfile cluster = cluster(1, 5);
    agentOf(decide(registry, job(), cluster, linux));
    JobIdentifier approved = job();
    registry.grantCapacity(
        new CapacityGrant(
            "task-" + UUID.randomUUID(), approved.jobId(), cluster.id(), linux.key(), 2));
    String reservation = agentOf(decide(registry, approved, cluster, linux));

    terminate(registry, reservation); // its launch failed
    RecordedDecision afterTheFailedLaunch = decide(registry, approved, cluster, linux);

    assertThat(afterTheFailedLaunch.outcome()).isEqualTo(DecisionOutcome.CREATED);
    assertThat(agentOf(afterTheFailedLaunch)).isNotEqualTo(reservation);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void declinesWhenEnoughAgentsOfTheProfileAreStarting(String name, DataSource database) {
    AgentRegistry registry = AgentServices.registryOn(database);
    ClusterProfile cluster = cluster(10, 2);
    decide(registry, job(), cluster, linux);
    decide(registry, job(), cluster, linux);

    RecordedDecision decision = decide(registry, job(), cluster, linux);
    RecordedDecision otherProfile = decide(registry, job(), cluster, windows);

    assertThat((String) decision.variables().get("decline_reason"))
        .startsWith("enough idle agents: 2 agents");
    assertThat(otherProfile.outcome()).isEqualTo(DecisionOutcome.CREATED);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aTerminatedAgentFreesCapacityAndItsJobGetsANewAgent(String name, DataSource database) {
    AgentRegistry registry = AgentServices.registryOn(database);
    ClusterProfile cluster = cluster(1, 1);
    JobIdentifier job = job();
    String first = agentOf(decide(registry, job, cluster, linux));

    terminate(registry, first);
    RecordedDecision decision = decide(registry, job, cluster, linux);

    assertThat(decision.outcome()).isEqualTo(DecisionOutcome.CREATED);
    assertThat(agentOf(decision)).isNotEqualTo(first);
    assertThat(registry.agentOf(job)).contains(agentOf(decision));
    assertThat(registry.runningAgents(cluster.id())).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void everyTransitionOnAStaleReadIsRefused(String name, DataSource database) {
    AgentRegistry registry = AgentServices.registryOn(database);
    String agent = agentOf(decide(registry, job(), cluster(5, 5), linux));
    Agent stale = registry.find(agent).orElseThrow();
    assertThat(registry.keepIdle(stale)).isTrue();

    assertThat(registry.keepIdle(stale)).isFalse();
    assertThat(
            registry.claimTermination(
                stale, OWNER, new Termination(TerminationKind.OTHER, "stale")))
        .isFalse();
    assertThat(registry.find(agent).orElseThrow().state()).isEqualTo(AgentState.IDLE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void onlyTheClaimerFinishesATerminationAndATerminatingAgentCannotBeKeptOrClaimedAgain(
      String name, DataSource database) {
    AgentRegistry registry = AgentServices.registryOn(database);
    String agent = agentOf(decide(registry, job(), cluster(5, 5), linux));
    assertThat(
            registry.claimTermination(
                registry.find(agent).orElseThrow(),
                OWNER,
                new Termination(TerminationKind.OTHER, "test")))
        .isTrue();
    Agent terminating = registry.find(agent).orElseThrow();

    assertThat(registry.keepIdle(terminating)).isFalse();
    assertThat(
            registry.claimTermination(
                terminating, "someone-else", new Termination(TerminationKind.OTHER, "again")))
        .isFalse();
    assertThat(registry.markLaunched(agent)).isFalse();
    assertThat(registry.finishTermination(agent, "someone-else")).isFalse();
    assertThat(registry.finishTermination(agent, OWNER)).isTrue();
    assertThat(registry.finishTermination(agent, OWNER)).isFalse();
    assertThat(registry.find(agent).orElseThrow().state()).isEqualTo(AgentState.TERMINATED);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void agentsTheGoCdServerKnowsCountAsRegistered(String name, DataSource database) {
    AgentRegistry registry = AgentServices.registryOn(database);
    String agent = agentOf(decide(registry, job(), cluster(2, 2), linux));

    assertThat(registry.markRegistered(List.of(agent, "GoCDunknown"))).containsExactly(agent);

    Agent registered = registry.find(agent).orElseThrow();
    assertThat(registered.state()).isEqualTo(AgentState.BUSY);
    assertThat(registered.registeredAt()).isPresent();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void requestsWithoutJobIdentifierAreNotDeduplicated(String name, DataSource database) {
    AgentRegistry registry = AgentServices.registryOn(database);
    ClusterProfile cluster = cluster(5, 5);

    String first =
        agentOf(registry.decide(demand(AgentServices.createAgentJob(), null, cluster, linux)));
    String second =
        agentOf(registry.decide(demand(AgentServices.createAgentJob(), null, cluster, linux)));

    assertThat(first).isNotEqualTo(second);
  }

  static RecordedDecision decide(
      AgentRegistry registry, JobIdentifier job, ClusterProfile cluster, AgentProfile profile) {
    return registry.decide(demand(AgentServices.createAgentJob(), job, cluster, profile));
  }

  static Demand demand(
      DecisionKey key, JobIdentifier job, ClusterProfile cluster, AgentProfile profile) {
    return new Demand(
        key,
        Optional.ofNullable(job),
        cluster,
        profile,
        OWNER,
        0,
        Duration.ofSeconds(30),
        3,
        AgentId::next);
  }

  static void terminate(AgentRegistry registry, String agentId) {
    assertThat(
            registry.claimTermination(
                registry.find(agentId).orElseThrow(),
                OWNER,
                new Termination(TerminationKind.OTHER, "test")))
        .isTrue();
    assertThat(registry.finishTermination(agentId, OWNER)).isTrue();
  }

  static ClusterProfile cluster(int maxRunning, int maxPending) {
    return cluster(maxRunning, maxPending, "cluster-" + UUID.randomUUID());
  }

  static ClusterProfile cluster(int maxRunning, int maxPending, String id) {
    return new ClusterProfile(
        id,
        maxRunning,
        maxPending,
        Duration.ofMinutes(10),
        Duration.ofMinutes(10),
        Duration.ofHours(1));
  }

  static JobIdentifier job() {
    int id = JOB_IDS.incrementAndGet();
    return new JobIdentifier(id, "build", id, "label", "pipeline", 1, "stage");
  }

  static String agentOf(RecordedDecision decision) {
    return decision.agentId().orElseThrow(() -> new AssertionError("no agent: " + decision));
  }
}
