package dev.elasticagents.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentLaunch;
import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.AutoRegisterKey;
import dev.elasticagents.agent.CapacityGrant;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.DecisionKey;
import dev.elasticagents.agent.DecisionOutcome;
import dev.elasticagents.agent.RecordedDecision;
import dev.elasticagents.agent.ReleaseRequest;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.gocd.testing.GoCdBody;
import dev.elasticagents.runtime.InvalidJobVariablesException;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.CountingDataSource;
import dev.elasticagents.testing.MovableClock;
import dev.elasticagents.testing.RecordingAgentProvider;
import dev.elasticagents.testing.RegistryDatabases;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The lifecycle on real PostgreSQL, with a provider that records what it is asked to do. */
class AgentLifecycleTest {

  private static final AtomicInteger JOB_IDS = new AtomicInteger(5000);

  private final MovableClock clock = new MovableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final RecordingAgentProvider provider = new RecordingAgentProvider();
  // A database of its own per test: cleanup looks at every agent in the registry.
  private final DataSource database = RegistryDatabases.newPostgresDatabase();
  private final AgentServices services =
      new AgentServices(database, provider, clock, AgentServices.properties(10, 10));
  private final AgentLifecycle lifecycle = services.lifecycle;
  private final AgentRegistry registry = services.registry;
  private final String cluster = "cluster-" + UUID.randomUUID();

  @Test
  void launchesANewAgentWithItsAutoRegisterSettings() {
    String agent = services.created(request(Map.of()));

    AgentLaunch launch = provider.launched().get(agent);
    assertThat(launch.autoRegisterProperties())
        .containsExactly(
            Map.entry("agent.auto.register.key", "secret-key"),
            Map.entry("agent.auto.register.environments", "production"),
            Map.entry("agent.auto.register.elasticAgent.agentId", agent),
            Map.entry("agent.auto.register.elasticAgent.pluginId", "dev.elasticagents.zeebe"),
            Map.entry("agent.auto.register.hostname", agent));
    assertThat(launch.toString()).doesNotContain("secret-key");
    assertThat(services.agent(agent).isLaunched()).isTrue();
    assertThat(services.agent(agent).owner()).isEqualTo(provider.owner());
  }

  @Test
  void aNewJobsAgentIsReservedLaunchedAndRecordedInSevenStatementsAndOneTransaction() {
    CountingDataSource counted = new CountingDataSource(database);
    AgentServices countedServices =
        new AgentServices(counted, provider, clock, AgentServices.properties(10, 10));
    countedServices.created(request(Map.of()));
    counted.reset();

    String agent = countedServices.created(request(Map.of()));
    List<String> statements = counted.sql();
    int transactions = counted.transactions();

    assertThat(provider.launched()).containsKey(agent);
    assertThat(countedServices.agent(agent).isLaunched()).isTrue();
    assertThat(statements).hasSize(7);
    assertThat(transactions).isEqualTo(1);
  }

  @Test
  void aCreatedAgentClearsTheAutoRegisterKeyAndNamesItsAssignmentAndMaximumBuildDuration() {
    DecisionKey job = AgentServices.createAgentJob();

    RecordedDecision decision = lifecycle.createAgent(request(Map.of()), job);

    assertThat(decision.variables())
        .containsEntry("agent_decision", "CREATED")
        .containsEntry("agent_assignment", job.value())
        .containsEntry("max_build_duration", "PT2H")
        .containsEntry("auto_register_key", null);
  }

  @Test
  void aRedeliveredCreateAgentJobReplaysItsDecisionAndLaunchesNothingMore() {
    CreateAgentRequest request = request(Map.of());
    DecisionKey job = AgentServices.createAgentJob();
    RecordedDecision first = lifecycle.createAgent(request, job);

    RecordedDecision redelivered = lifecycle.createAgent(request, job);

    assertThat(redelivered.replayed()).isTrue();
    assertThat(redelivered.variables()).isEqualTo(first.variables());
    assertThat(provider.launched()).hasSize(1);
    assertThat(services.state(first.agentId().orElseThrow())).isEqualTo(AgentState.PENDING);
  }

  @Test
  void anotherLifecycleAskingForAJobThatHasALiveAgentGetsAlreadyCreatedWithoutTheKey() {
    CreateAgentRequest request = request(Map.of());
    String agent = services.created(request);

    RecordedDecision other = lifecycle.createAgent(request, AgentServices.createAgentJob());

    assertThat(other.variables())
        .containsEntry("agent_decision", "ALREADY_CREATED")
        .containsEntry("elastic_agent_id", agent)
        .containsEntry("auto_register_key", null);
  }

  @Test
  void aRedeliveredJobLaunchesTheAgentItReservedWhenTheServiceDiedBeforeLaunching() {
    CreateAgentRequest request = request(Map.of());
    DecisionKey job = AgentServices.createAgentJob();
    // The registry recorded the decision and the reservation; the launch never happened.
    RecordedDecision reserved = registry.decide(services.demand(request, job));

    RecordedDecision redelivered = lifecycle.createAgent(request, job);

    assertThat(redelivered.agentId()).isEqualTo(reserved.agentId());
    assertThat(provider.launched()).containsOnlyKeys(reserved.agentId().orElseThrow());
    assertThat(services.agent(reserved.agentId().orElseThrow()).isLaunched()).isTrue();
  }

  @Test
  void aFailedLaunchTerminatesTheReservationAndTheRedeliveredJobGetsANewAgent() {
    CreateAgentRequest request = request(Map.of());
    DecisionKey job = AgentServices.createAgentJob();
    provider.failLaunches(new IllegalStateException("image not found"));
    assertThatThrownBy(() -> lifecycle.createAgent(request, job))
        .hasMessageContaining("Could not launch agent")
        .hasMessageContaining("image not found");
    String failed = registry.agentOf(request.jobIdentifier().orElseThrow()).orElseThrow();
    provider.failLaunches(null);

    RecordedDecision redelivered = lifecycle.createAgent(request, job);

    assertThat(services.state(failed)).isEqualTo(AgentState.TERMINATED);
    assertThat(terminations("launch-failed")).isEqualTo(1);
    assertThat(redelivered.outcome()).isEqualTo(DecisionOutcome.CREATED);
    assertThat(redelivered.agentId()).isPresent().isNotEqualTo(Optional.of(failed));
    assertThat(provider.launched()).containsOnlyKeys(redelivered.agentId().orElseThrow());
  }

  @Test
  void anApprovedCapacityGrantSurvivesAFailedLaunchAndServesTheRedeliveredJob() {
    Map<String, String> oneAgent = Map.of("max_running_agents", "1");
    services.created(request(Map.of(), oneAgent, 0));
    CreateAgentRequest approved = request(Map.of(), oneAgent, 0);
    AgentProfile profile =
        AgentProfile.from(approved.environment(), approved.profileProperties(), true);
    registry.grantCapacity(
        new CapacityGrant(
            "task-" + UUID.randomUUID(),
            approved.jobIdentifier().orElseThrow().jobId(),
            cluster,
            profile.key(),
            2));
    DecisionKey job = AgentServices.createAgentJob();
    provider.failLaunches(new IllegalStateException("registry timed out"));
    assertThatThrownBy(() -> lifecycle.createAgent(approved, job))
        .hasMessageContaining("registry timed out");
    provider.failLaunches(null);

    RecordedDecision redelivered = lifecycle.createAgent(approved, job);

    assertThat(redelivered.outcome()).isEqualTo(DecisionOutcome.CREATED);
    assertThat(registry.runningAgents(cluster)).isEqualTo(2);
  }

  @Test
  void aDeclineKeepsTheKeyForTheNextTryAndTheLifecycleStopsAskingAfterItsRetries() {
    Map<String, String> oneAgent = Map.of("max_running_agents", "1");
    services.created(request(Map.of(), oneAgent, 0));

    RecordedDecision retried =
        lifecycle.createAgent(request(Map.of(), oneAgent, 2), AgentServices.createAgentJob());
    RecordedDecision last =
        lifecycle.createAgent(request(Map.of(), oneAgent, 3), AgentServices.createAgentJob());

    assertThat(retried.variables())
        .containsEntry("agent_decision", "DECLINED")
        .containsEntry("declines", 3)
        .containsEntry("will_retry", true)
        .doesNotContainKey("auto_register_key");
    assertThat(last.variables())
        .containsEntry("declines", 4)
        .containsEntry("will_retry", false)
        .containsEntry("auto_register_key", null);
  }

  @Test
  void aCapacityOverrideVariableOnItsOwnChangesNothing() {
    Map<String, String> oneAgent = Map.of("max_running_agents", "1");
    services.created(request(Map.of(), oneAgent, 0));
    Map<String, Object> variables =
        GoCdBody.createAgent()
            .withAutoRegisterKey("secret-key")
            .withEnvironment("production")
            .withElasticAgentProfile(Map.of("image", "gocd-agent"))
            .withClusterProfile(Map.of("id", cluster, "max_running_agents", "1"))
            .withJobId(JOB_IDS.incrementAndGet())
            .with("capacity_override", true)
            .toMap();

    RecordedDecision decision =
        lifecycle.createAgent(
            CreateAgentRequest.from(dev.elasticagents.runtime.JobVariables.of(variables)),
            AgentServices.createAgentJob());

    assertThat(decision.outcome()).isEqualTo(DecisionOutcome.DECLINED);
    assertThat(registry.runningAgents(cluster)).isEqualTo(1);
  }

  @Test
  void keepsAReusableAgentIdleAfterItsJob() {
    CreateAgentRequest request = request(Map.of());
    String agent = services.created(request);

    RecordedDecision completion = services.jobCompleted(agent, request);

    assertThat(completion.variables()).containsEntry("completion_decision", "KEPT");
    assertThat(services.state(agent)).isEqualTo(AgentState.IDLE);
    assertThat(provider.calls()).doesNotContain("terminate " + agent);
  }

  @Test
  void terminatesAnAgentWhoseProfileDoesNotReuseAgentsInOrder() {
    CreateAgentRequest request = request(Map.of("reuse_agents", "false"));
    String agent = services.created(request);

    RecordedDecision completion = services.jobCompleted(agent, request);

    assertThat(completion.variables()).containsEntry("completion_decision", "TERMINATED");
    assertThat(provider.calls())
        .containsSubsequence("disable " + agent, "terminate " + agent, "delete " + agent);
    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED);
    assertThat(terminations("job-completed")).isEqualTo(1);
  }

  @Test
  void aLaunchTheProviderRefusesTerminatesTheReservationUnderOther() {
    CreateAgentRequest request = request(Map.of());
    provider.failLaunches(new InvalidJobVariablesException(List.of("no such image")));

    assertThatThrownBy(() -> lifecycle.createAgent(request, AgentServices.createAgentJob()))
        .isInstanceOf(InvalidJobVariablesException.class);

    String refused = registry.agentOf(request.jobIdentifier().orElseThrow()).orElseThrow();
    assertThat(services.state(refused)).isEqualTo(AgentState.TERMINATED);
    assertThat(
            JdbcClient.create(database)
                .sql("select termination_reason from agents where id = ?")
                .param(refused)
                .query(String.class)
                .single())
        .isEqualTo("launch refused: no such image");
    assertThat(terminations("other")).isEqualTo(1);
    assertThat(terminations("launch-failed")).isZero();
  }

  @Test
  void skipsAnUnknownAgentWithAReason() {
    RecordedDecision completion =
        lifecycle.release(
            new ReleaseRequest(
                "GoCDdoesnotexist",
                Optional.empty(),
                Optional.empty(),
                ReleaseRequest.Cause.JOB_COMPLETED),
            AgentServices.jobCompletionJob());

    assertThat(completion.variables())
        .containsEntry("completion_decision", "SKIPPED")
        .containsEntry("completion_reason", "unknown agent");
    assertThat(provider.calls()).isEmpty();
  }

  @Test
  void aJobCompletionForAnotherJobThanTheAgentServesIsSkipped() {
    CreateAgentRequest request = request(Map.of());
    String agent = services.created(request);
    Agent read = services.agent(agent);

    RecordedDecision completion =
        lifecycle.release(
            new ReleaseRequest(
                agent,
                read.assignment(),
                Optional.of((long) JOB_IDS.incrementAndGet()),
                ReleaseRequest.Cause.JOB_COMPLETED),
            AgentServices.jobCompletionJob());

    assertThat(completion.variables()).containsEntry("completion_decision", "SKIPPED");
    assertThat((String) completion.variables().get("completion_reason"))
        .startsWith("agent serves GoCD job ");
    assertThat(services.state(agent)).isEqualTo(AgentState.PENDING);
  }

  @Test
  void aLateReleaseByAnEarlierLifecycleLeavesTheAgentToTheLifecycleItServesNow() {
    // v1 requests name no GoCD job: the assignment alone ties an agent to the lifecycle it serves.
    String agent = services.created(requestWithoutJob());
    Optional<String> earlier = services.agent(agent).assignment();
    lifecycle.release(
        new ReleaseRequest(agent, earlier, Optional.empty(), ReleaseRequest.Cause.JOB_COMPLETED),
        AgentServices.jobCompletionJob());
    RecordedDecision next =
        lifecycle.createAgent(requestWithoutJob(), AgentServices.createAgentJob());
    assertThat(next.agentId()).contains(agent);

    RecordedDecision late =
        lifecycle.release(
            new ReleaseRequest(
                agent, earlier, Optional.empty(), ReleaseRequest.Cause.BUILD_OVERRAN),
            AgentServices.terminateAgentJob());

    assertThat(late.variables())
        .containsEntry("completion_decision", "SKIPPED")
        .containsEntry("completion_reason", "agent now serves another job");
    assertThat(services.state(agent)).isEqualTo(AgentState.BUSY);
    assertThat(provider.calls()).doesNotContain("terminate " + agent);
  }

  @Test
  void aJobThatRanPastItsMaximumBuildDurationLosesItsAgentEvenIfItsProfileReusesAgents() {
    CreateAgentRequest request = request(Map.of());
    String agent = services.created(request);

    RecordedDecision overran =
        lifecycle.release(
            new ReleaseRequest(
                agent,
                services.agent(agent).assignment(),
                Optional.empty(),
                ReleaseRequest.Cause.BUILD_OVERRAN),
            AgentServices.terminateAgentJob());

    assertThat(overran.variables())
        .containsEntry("completion_decision", "TERMINATED")
        .containsEntry(
            "completion_reason", "its job ran longer than the maximum build duration of PT2H");
    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED);
    assertThat(terminations("build-overran")).isEqualTo(1);
  }

  @Test
  void aTerminationClaimedByAnotherInstanceIsLeftToTheOwnersCleanup() {
    CreateAgentRequest request = request(Map.of("reuse_agents", "false"));
    String agent = services.created(request);
    RecordingAgentProvider otherHost = new RecordingAgentProvider("recording:instance-b");
    AgentServices other =
        new AgentServices(database, otherHost, clock, AgentServices.properties(10, 10));

    other.jobCompleted(agent, request);

    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATING);
    assertThat(otherHost.calls()).isEmpty();
    assertThat(
            services
                .cleanup
                .cleanUp(List.of(), AgentServices.cleanupJob())
                .variables()
                .get("cleaned_up_agents"))
        .isEqualTo(
            List.of(
                Map.of(
                    "elastic_agent_id",
                    agent,
                    "reason",
                    "termination handed over by recording:instance-b")));
    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED);
    assertThat(terminations("taken-over")).isEqualTo(1);
    assertThat(terminations("job-completed")).as("not the kind of the claim it took over").isZero();
    assertThat(provider.callsFor(agent))
        .containsSubsequence("disable " + agent, "terminate " + agent, "delete " + agent);
  }

  @Test
  void rejectsProfilesThatCouldInjectIntoTheAgentsEnvironment() {
    CreateAgentRequest request =
        new CreateAgentRequest(
            new AutoRegisterKey("k"),
            "prod; rm -rf /",
            Map.of("image", "x\nagent.auto.register.key=stolen"),
            Map.of(),
            Optional.empty(),
            0);

    assertThatThrownBy(() -> lifecycle.createAgent(request, AgentServices.createAgentJob()))
        .isInstanceOfSatisfying(
            InvalidJobVariablesException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "'environment' may hold only letters, digits, '.', '_' and '-'",
                        "'elastic_agent_profile_properties.image': Image must not contain control"
                            + " characters or line breaks"));
    assertThat(provider.launched()).isEmpty();
  }

  @Test
  void rejectsAPropertyValueLongerThanTheLimitAsTheGoCdPluginDoes() {
    CreateAgentRequest request =
        new CreateAgentRequest(
            new AutoRegisterKey("k"),
            "prod",
            Map.of("image", "x".repeat(2 * 1024 * 1024)),
            Map.of(),
            Optional.empty(),
            0);

    assertThatThrownBy(() -> lifecycle.createAgent(request, AgentServices.createAgentJob()))
        .isInstanceOfSatisfying(
            InvalidJobVariablesException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "'elastic_agent_profile_properties.image': Image must be at most 4096"
                            + " characters"));
    assertThat(provider.launched()).isEmpty();
  }

  @Test
  void refusesADurationLongerThanAYearAsTheGoCdPluginDoes() {
    CreateAgentRequest request =
        new CreateAgentRequest(
            new AutoRegisterKey("k"),
            "prod",
            Map.of("image", "x"),
            Map.of("idle_timeout", "999999999999999"),
            Optional.empty(),
            0);

    assertThatThrownBy(() -> lifecycle.createAgent(request, AgentServices.createAgentJob()))
        .isInstanceOfSatisfying(
            InvalidJobVariablesException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "'cluster_profile_properties.idle_timeout': Idle timeout must be at most"
                            + " 365 days (P365D or 525600 minutes)"));
    assertThat(provider.launched()).isEmpty();
  }

  @Test
  void takesEmptyClusterProfileFieldsAsNotSetAsGoCdSendsThem() {
    RecordedDecision decision =
        lifecycle.createAgent(
            request(
                Map.of("reuse_agents", ""),
                Map.of("max_running_agents", "", "idle_timeout", ""),
                0),
            AgentServices.createAgentJob());

    assertThat(decision.outcome()).isEqualTo(DecisionOutcome.CREATED);
  }

  private CreateAgentRequest request(Map<String, String> profile) {
    return request(profile, Map.of(), 0);
  }

  private CreateAgentRequest request(
      Map<String, String> profile, Map<String, String> clusterProperties, int declines) {
    Map<String, String> properties = new HashMap<>(profile);
    properties.putIfAbsent("image", "gocd-agent");
    Map<String, String> clusterProfile = new HashMap<>(clusterProperties);
    clusterProfile.put("id", cluster);
    return new CreateAgentRequest(
        new AutoRegisterKey("secret-key"),
        "production",
        properties,
        clusterProfile,
        Optional.of(AgentServices.jobIdentifierOf(JOB_IDS.incrementAndGet())),
        declines);
  }

  private CreateAgentRequest requestWithoutJob() {
    return new CreateAgentRequest(
        new AutoRegisterKey("secret-key"),
        "production",
        Map.of("image", "gocd-agent"),
        Map.of("id", cluster),
        Optional.empty(),
        0);
  }

  /** Finished terminations counted under {@code kind}, the metric's reason tag. */
  private double terminations(String kind) {
    return services.meters.counter("elastic.agents.terminations", "reason", kind).count();
  }
}
