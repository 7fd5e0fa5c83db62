package dev.elasticagents.agent.lifecycle;

import static dev.elasticagents.testing.AgentServices.offer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.DecisionKey;
import dev.elasticagents.agent.DecisionOutcome;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.RecordedDecision;
import dev.elasticagents.agent.ReleaseOutcome;
import dev.elasticagents.agent.Termination;
import dev.elasticagents.agent.TerminationKind;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.RecordingAgentProvider;
import dev.elasticagents.testing.RegistryDatabases;
import java.time.Clock;
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
 * GoCD's should-assign-work, answered from the registry on real PostgreSQL and on H2: true for the
 * agent a job was given, or for an idle reusable agent of the job's profiles, which is given the
 * job there and then; never for a terminating agent; and whoever ends up releasing it, the agent is
 * released once.
 */
class ShouldAssignWorkTest {

  private static final DataSource POSTGRES = RegistryDatabases.newPostgresDatabase();
  private static final DataSource H2 = RegistryDatabases.newH2Database();
  private static final AtomicInteger JOB_IDS = new AtomicInteger(70_000);
  private static final Map<String, String> LINUX = Map.of("image", "linux");
  private static final Map<String, String> WINDOWS = Map.of("image", "windows");

  static Stream<Arguments> databases() {
    return Stream.of(Arguments.of("PostgreSQL", POSTGRES), Arguments.of("H2", H2));
  }

  private final String cluster = "cluster-" + UUID.randomUUID();

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void isTrueForTheAgentTheJobWasGivenAndFalseForAnotherJob(String name, DataSource database) {
    AgentServices services = services(database);
    CreateAgentRequest request = AgentServices.request(cluster, JOB_IDS.incrementAndGet(), LINUX);
    String agent = services.created(request);

    assertThat(services.lifecycle.shouldAssignWork(offer(agent, request))).isTrue();
    assertThat(
            services.lifecycle.shouldAssignWork(
                offer(agent, AgentServices.request(cluster, JOB_IDS.incrementAndGet(), LINUX))))
        .isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void givesAnIdleReusableAgentOfTheSameProfilesToAWaitingJobInTheSameTransaction(
      String name, DataSource database) {
    AgentServices services = services(database);
    String idle = idleAgent(services, LINUX);
    CreateAgentRequest waiting = AgentServices.request(cluster, JOB_IDS.incrementAndGet(), LINUX);

    assertThat(services.lifecycle.shouldAssignWork(offer(idle, waiting))).isTrue();

    Agent agent = services.agent(idle);
    assertThat(agent.state()).isEqualTo(AgentState.BUSY);
    assertThat(agent.jobKey())
        .contains(String.valueOf(waiting.jobIdentifier().orElseThrow().jobId()));
    assertThat(services.registry.agentOf(waiting.jobIdentifier().orElseThrow())).contains(idle);
    assertThat(
            services.lifecycle.shouldAssignWork(
                offer(idle, AgentServices.request(cluster, JOB_IDS.incrementAndGet(), LINUX))))
        .as("an agent given a job is not given another")
        .isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void neverGivesAnIdleAgentOfAnotherProfileOrClusterProfile(String name, DataSource database) {
    AgentServices services = services(database);
    String idle = idleAgent(services, LINUX);

    assertThat(
            services.lifecycle.shouldAssignWork(
                offer(idle, AgentServices.request(cluster, JOB_IDS.incrementAndGet(), WINDOWS))))
        .isFalse();
    assertThat(
            services.lifecycle.shouldAssignWork(
                offer(
                    idle,
                    AgentServices.request("other-" + cluster, JOB_IDS.incrementAndGet(), LINUX))))
        .isFalse();
    assertThat(services.state(idle)).isEqualTo(AgentState.IDLE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void neverGivesAnIdleAgentToAJobThatHasALiveAgent(String name, DataSource database) {
    AgentServices services = services(database);
    CreateAgentRequest first = AgentServices.request(cluster, JOB_IDS.incrementAndGet(), LINUX);
    CreateAgentRequest second = AgentServices.request(cluster, JOB_IDS.incrementAndGet(), LINUX);
    List<String> idle = List.of(services.created(first), services.created(second));
    services.registry.markRegistered(idle);
    services.jobCompleted(idle.get(0), first);
    services.jobCompleted(idle.get(1), second);
    CreateAgentRequest job = AgentServices.request(cluster, JOB_IDS.incrementAndGet(), LINUX);
    String reused =
        services.lifecycle.createAgent(job, AgentServices.createAgentJob()).agentId().orElseThrow();
    String other = idle.get(0).equals(reused) ? idle.get(1) : idle.get(0);

    assertThat(services.lifecycle.shouldAssignWork(offer(other, job))).isFalse();
    assertThat(services.state(other)).isEqualTo(AgentState.IDLE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void isNeverTrueForAnAgentBeingTerminatedEvenForItsOwnJob(String name, DataSource database) {
    AgentServices services = services(database);
    CreateAgentRequest request = AgentServices.request(cluster, JOB_IDS.incrementAndGet(), LINUX);
    String agent = services.created(request);
    assertThat(
            services.registry.claimTermination(
                services.agent(agent),
                services.provider.owner(),
                new Termination(TerminationKind.OTHER, "test")))
        .isTrue();

    assertThat(services.lifecycle.shouldAssignWork(offer(agent, request))).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void theJobsLifecycleAdoptsTheAgentShouldAssignWorkGaveItAndAnotherLifecycleGetsAlreadyCreated(
      String name, DataSource database) {
    AgentServices services = services(database);
    String idle = idleAgent(services, LINUX);
    CreateAgentRequest waiting = AgentServices.request(cluster, JOB_IDS.incrementAndGet(), LINUX);
    assertThat(services.lifecycle.shouldAssignWork(offer(idle, waiting))).isTrue();

    DecisionKey lifecycle = AgentServices.createAgentJob();
    RecordedDecision adopted = services.lifecycle.createAgent(waiting, lifecycle);
    RecordedDecision another =
        services.lifecycle.createAgent(waiting, AgentServices.createAgentJob());

    assertThat(adopted.outcome()).isEqualTo(DecisionOutcome.REUSED);
    assertThat(adopted.agentId()).contains(idle);
    assertThat(services.agent(idle).assignment()).contains(lifecycle.value());
    assertThat(another.outcome()).isEqualTo(DecisionOutcome.ALREADY_CREATED);
    assertThat(
            services.lifecycle.releaseUnadopted(
                idle, waiting.jobIdentifier().orElseThrow().jobId()))
        .as("job-completion leaves an adopted agent to its lifecycle")
        .isEmpty();
    assertThat(services.state(idle)).isEqualTo(AgentState.BUSY);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void jobCompletionReleasesAnAgentNoLifecycleAdoptedOnceAndReplaysThatRelease(
      String name, DataSource database) {
    AgentServices services = services(database);
    String idle = idleAgent(services, LINUX);
    CreateAgentRequest waiting = AgentServices.request(cluster, JOB_IDS.incrementAndGet(), LINUX);
    assertThat(services.lifecycle.shouldAssignWork(offer(idle, waiting))).isTrue();
    JobIdentifier job = waiting.jobIdentifier().orElseThrow();

    Optional<RecordedDecision> released = services.lifecycle.releaseUnadopted(idle, job.jobId());
    Optional<RecordedDecision> resent = services.lifecycle.releaseUnadopted(idle, job.jobId());

    assertThat(released).map(RecordedDecision::outcome).contains(ReleaseOutcome.KEPT);
    assertThat(resent).map(RecordedDecision::replayed).contains(true);
    assertThat(
            services
                .meters
                .counter(
                    "elastic.agents.decisions.replayed", "type", AgentLifecycle.UNADOPTED_RELEASE)
                .count())
        .as("the re-send is one replay")
        .isEqualTo(1.0);
    assertThat(services.state(idle)).isEqualTo(AgentState.IDLE);
  }

  private AgentServices services(DataSource database) {
    return new AgentServices(
        database,
        new RecordingAgentProvider(),
        Clock.systemUTC(),
        AgentServices.properties(10, 10));
  }

  /** An agent whose job completed and that is kept for reuse. */
  private String idleAgent(AgentServices services, Map<String, String> profile) {
    CreateAgentRequest request = AgentServices.request(cluster, JOB_IDS.incrementAndGet(), profile);
    String agent = services.created(request);
    services.registry.markRegistered(List.of(agent));
    assertThat(services.jobCompleted(agent, request).outcome()).isEqualTo(ReleaseOutcome.KEPT);
    return agent;
  }
}
