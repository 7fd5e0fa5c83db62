package dev.elasticagents.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.DecisionKey;
import dev.elasticagents.agent.RecordedDecision;
import dev.elasticagents.agent.Termination;
import dev.elasticagents.agent.TerminationKind;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.MovableClock;
import dev.elasticagents.testing.RecordingAgentProvider;
import dev.elasticagents.testing.RegistryDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Cleanup with server-ping semantics, on real PostgreSQL. */
class AgentCleanupTest {

  private static final AtomicInteger JOB_IDS = new AtomicInteger(7000);

  private final MovableClock clock = new MovableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final RecordingAgentProvider provider = new RecordingAgentProvider();
  private final DataSource database = RegistryDatabases.newPostgresDatabase();
  private final AgentServices services =
      new AgentServices(database, provider, clock, AgentServices.properties(10, 10));
  private final String cluster = "cluster-" + UUID.randomUUID();

  @Test
  void terminatesAnAgentThatNeverRegisteredInTime() {
    String agent = services.created(request(Map.of()));

    clock.advance(Duration.ofMinutes(9));
    assertThat(cleanUp(List.of())).doesNotContainKey(agent);
    clock.advance(Duration.ofMinutes(2));

    assertThat(cleanUp(List.of())).containsEntry(agent, "never registered within PT10M");
    assertThat(terminations("never-registered")).isEqualTo(1);
    assertThat(provider.calls())
        .containsSubsequence("disable " + agent, "terminate " + agent, "delete " + agent);
  }

  @Test
  void sparesAnAgentTheGoCdServerKnows() {
    String agent = services.created(request(Map.of()));

    clock.advance(Duration.ofMinutes(11));

    assertThat(cleanUp(List.of(agent))).doesNotContainKey(agent);
    assertThat(services.state(agent)).isEqualTo(AgentState.BUSY);
  }

  @Test
  void terminatesAnAgentIdlePastItsIdleTimeout() {
    CreateAgentRequest request = request(Map.of());
    String agent = services.created(request);
    services.jobCompleted(agent, request);

    clock.advance(Duration.ofMinutes(11));

    assertThat(cleanUp(List.of())).containsEntry(agent, "idle longer than PT10M");
    assertThat(terminations("idle-timeout")).isEqualTo(1);
  }

  @Test
  void terminatesAnAgentBusyLongPastItsMaximumBuildDuration() {
    String agent = services.created(request(Map.of()));
    cleanUp(List.of(agent));

    clock.advance(Duration.ofHours(2).plus(Agent.OVERRUN_GRACE).minusMinutes(1));
    assertThat(cleanUp(List.of(agent))).doesNotContainKey(agent);
    clock.advance(Duration.ofMinutes(1));

    assertThat(cleanUp(List.of(agent)))
        .containsEntry(agent, "busy longer than its maximum build duration of PT2H");
    assertThat(terminations("build-overran")).isEqualTo(1);
  }

  @Test
  void anAgentWhoseTerminationFailsStaysClaimedAndTheOtherAgentsAreStillCleanedUp() {
    String refusing = services.created(request(Map.of()));
    String other = services.created(request(Map.of()));
    provider.refuseTerminationOf(refusing);

    clock.advance(Duration.ofMinutes(11));

    assertThat(cleanUp(List.of())).containsOnlyKeys(other);
    assertThat(services.state(other)).isEqualTo(AgentState.TERMINATED);
    assertThat(services.state(refusing)).isEqualTo(AgentState.TERMINATING);
  }

  @Test
  void anUnknownAgentWhoseTerminationFailsDoesNotStopThePass() {
    String due = services.created(request(Map.of()));
    provider.leak("GoCDleaked");
    provider.refuseTerminationOf("GoCDleaked");
    provider.leak("GoCDleakedToo");

    clock.advance(Duration.ofMinutes(11));

    assertThat(cleanUp(List.of())).containsOnlyKeys(due, "GoCDleakedToo");
    assertThat(provider.running()).contains("GoCDleaked").doesNotContain("GoCDleakedToo");
  }

  @Test
  void anIdleTimeoutTooLongForTheCalendarNeverFallsAndTheOtherAgentsAreStillCleanedUp() {
    String other = services.created(request(Map.of()));
    CreateAgentRequest foreverRequest = request(Map.of());
    String forever = services.created(foreverRequest);
    services.jobCompleted(forever, foreverRequest);
    // A row written before durations were bounded: its deadline lies past what an Instant holds.
    JdbcClient.create(database)
        .sql("update agents set idle_timeout_seconds = ? where id = ?")
        .params(Long.MAX_VALUE / 2, forever)
        .update();

    clock.advance(Duration.ofMinutes(11));

    assertThat(cleanUp(List.of(forever))).containsOnlyKeys(other);
    assertThat(services.state(forever)).isEqualTo(AgentState.IDLE);
    assertThat(
            services
                .registry
                .find(forever)
                .orElseThrow()
                .timeoutTermination(clock.instant().plus(Duration.ofDays(3650))))
        .as("its deadline saturates instead of overflowing")
        .isEmpty();
  }

  @Test
  void terminatesAgentsThatTheRegistryDoesNotKnow() {
    provider.leak("GoCDleaked");

    assertThat(cleanUp(List.of())).containsEntry("GoCDleaked", "not a live agent of the registry");
    assertThat(provider.calls())
        .containsSubsequence("disable GoCDleaked", "terminate GoCDleaked", "delete GoCDleaked");
  }

  @Test
  void countsTheTerminationOfAnAgentTheRegistryDoesNotKnowUnderItsOwnReason() {
    provider.leak("GoCDleaked");

    cleanUp(List.of());

    assertThat(services.meters.counter("elastic.agents.terminations", "reason", "unknown").count())
        .isEqualTo(1);
  }

  @Test
  void forgetsAgentsWhoseProcessIsGone() {
    String agent = services.created(request(Map.of()));
    cleanUp(List.of(agent));
    provider.crash(agent);

    clock.advance(Duration.ofMinutes(2));

    assertThat(cleanUp(List.of())).containsEntry(agent, "agent is no longer running");
    assertThat(terminations("gone")).isEqualTo(1);
    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED);
  }

  @Test
  void leavesAReservationThatWasNotLaunchedYetToItsLaunch() {
    CreateAgentRequest request = request(Map.of());
    RecordedDecision reserved =
        services.registry.decide(services.demand(request, AgentServices.createAgentJob()));

    clock.advance(Duration.ofMinutes(2));

    assertThat(cleanUp(List.of())).doesNotContainKey(reserved.agentId().orElseThrow());
    assertThat(services.state(reserved.agentId().orElseThrow())).isEqualTo(AgentState.PENDING);
  }

  @Test
  void leavesTheAgentsOfAnotherInstanceAlone() {
    RecordingAgentProvider otherHost = new RecordingAgentProvider("recording:instance-b");
    AgentServices other =
        new AgentServices(database, otherHost, clock, AgentServices.properties(10, 10));
    String theirs = other.created(request(Map.of()));

    clock.advance(Duration.ofMinutes(30));

    assertThat(cleanUp(List.of())).doesNotContainKey(theirs);
    assertThat(services.state(theirs)).isEqualTo(AgentState.PENDING);
    assertThat(provider.callsFor(theirs)).isEmpty();
    assertThat(otherHost.callsFor(theirs)).containsExactly("launch " + theirs);
  }

  @Test
  void takesOverATerminationWhoseClaimerDidNotFinishIt() {
    String agent = services.created(request(Map.of()));
    assertThat(
            services.terminator.claim(
                services.agent(agent),
                new Termination(TerminationKind.OTHER, "the claimer dies after this")))
        .isTrue();

    clock.advance(Duration.ofMinutes(4));
    assertThat(cleanUp(List.of())).doesNotContainKey(agent);
    clock.advance(Duration.ofMinutes(1));

    assertThat(cleanUp(List.of())).containsEntry(agent, "termination did not finish within PT5M");
    assertThat(terminations("taken-over")).isEqualTo(1);
    assertThat(terminations("other")).as("not the kind of the claim it took over").isZero();
    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED);
    assertThat(provider.callsFor(agent))
        .containsSubsequence("disable " + agent, "terminate " + agent, "delete " + agent);
  }

  @Test
  void aRedeliveredCleanupJobReplaysWhatItCleanedAndTouchesNothing() {
    String agent = services.created(request(Map.of()));
    clock.advance(Duration.ofMinutes(11));
    DecisionKey job = AgentServices.cleanupJob();
    RecordedDecision first = services.cleanup.cleanUp(List.of(), job);
    int calls = provider.calls().size();
    provider.leak("GoCDleakedLater");

    RecordedDecision redelivered = services.cleanup.cleanUp(List.of(), job);

    assertThat(redelivered.variables()).isEqualTo(first.variables());
    assertThat(first.variables().toString()).contains(agent);
    assertThat(provider.calls()).hasSize(calls);
    assertThat(
            services
                .meters
                .counter("elastic.agents.decisions.replayed", "type", "cleanup-agents")
                .count())
        .isEqualTo(1);
  }

  @Test
  void forgetsDecisionsOlderThanTheirRetention() {
    DecisionKey job = AgentServices.createAgentJob();
    services.lifecycle.createAgent(request(Map.of()), job);

    clock.advance(Duration.ofDays(29));
    cleanUp(List.of());
    assertThat(services.registry.recordedDecision(job)).isPresent();
    clock.advance(Duration.ofDays(2));
    cleanUp(List.of());

    assertThat(services.registry.recordedDecision(job)).isEmpty();
  }

  @SuppressWarnings("unchecked")
  private Map<String, String> cleanUp(List<String> knownAgents) {
    List<Map<String, Object>> cleaned =
        (List<Map<String, Object>>)
            services
                .cleanup
                .cleanUp(knownAgents, AgentServices.cleanupJob())
                .variables()
                .get("cleaned_up_agents");
    return cleaned.stream()
        .collect(
            java.util.stream.Collectors.toMap(
                c -> (String) c.get("elastic_agent_id"), c -> (String) c.get("reason")));
  }

  private CreateAgentRequest request(Map<String, String> profile) {
    return AgentServices.request(cluster, JOB_IDS.incrementAndGet(), profile);
  }

  /** Finished terminations counted under {@code kind}, the metric's reason tag. */
  private double terminations(String kind) {
    return services.meters.counter("elastic.agents.terminations", "reason", kind).count();
  }
}
