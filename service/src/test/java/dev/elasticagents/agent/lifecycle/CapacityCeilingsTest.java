package dev.elasticagents.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.agent.AutoRegisterKey;
import dev.elasticagents.agent.CapacityCeilings;
import dev.elasticagents.agent.CapacityGrant;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.DecisionOutcome;
import dev.elasticagents.agent.RecordedDecision;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.MovableClock;
import dev.elasticagents.testing.RecordingAgentProvider;
import dev.elasticagents.testing.RegistryDatabases;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The operator's capacity ceilings against what a request's cluster profile asks for, on real
 * PostgreSQL: nothing in a request lifts them; only an approved capacity grant goes past them.
 */
class CapacityCeilingsTest {

  private static final AtomicInteger JOB_IDS = new AtomicInteger(80_000);
  private static final Map<String, String> ASKS_FOR_EVERYTHING =
      Map.of("max_running_agents", "100000", "max_pending_agents", "100000");

  private final MovableClock clock = new MovableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final RecordingAgentProvider provider = new RecordingAgentProvider();
  private final String cluster = "cluster-" + UUID.randomUUID();
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger log = (Logger) LoggerFactory.getLogger(ClusterProfiles.class);

  CapacityCeilingsTest() {
    logged.start();
    log.addAppender(logged);
  }

  @AfterEach
  void stopListening() {
    log.detachAppender(logged);
  }

  @Test
  void aRequestAskingForAHundredThousandAgentsGetsAgentsUpToTheCeilingThenDeclines() {
    AgentServices services = services(Map.of(ceiling("max-running-agents"), "4"));

    for (int agent = 0; agent < 4; agent++) {
      services.created(request(cluster, ASKS_FOR_EVERYTHING));
    }
    RecordedDecision fifth =
        services.lifecycle.createAgent(
            request(cluster, ASKS_FOR_EVERYTHING), AgentServices.createAgentJob());

    assertThat(fifth.outcome()).isEqualTo(DecisionOutcome.DECLINED);
    assertThat(fifth.variables().get("decline_reason"))
        .asString()
        .contains("is at its maximum of 4 running agents");
    assertThat(services.registry.runningAgents(cluster)).isEqualTo(4);
    assertThat(provider.launched()).hasSize(4);
  }

  @Test
  void theDefaultCeilingCapsARequestThatAsksForMoreAtFiftyRunningAndTwentyStarting() {
    AgentServices services = services(Map.of());

    var effective = services.clusterProfiles.effective(withId(cluster, ASKS_FOR_EVERYTHING));

    assertThat(effective.maxRunningAgents()).isEqualTo(50);
    assertThat(effective.maxPendingAgents()).isEqualTo(20);
  }

  @Test
  void theStartingCeilingCapsTheStartingAgentsARequestAsksFor() {
    AgentServices services = services(Map.of(ceiling("max-pending-agents"), "2"));

    services.created(request(cluster, ASKS_FOR_EVERYTHING));
    services.created(request(cluster, ASKS_FOR_EVERYTHING));
    RecordedDecision third =
        services.lifecycle.createAgent(
            request(cluster, ASKS_FOR_EVERYTHING), AgentServices.createAgentJob());

    assertThat(third.outcome()).isEqualTo(DecisionOutcome.DECLINED);
    assertThat(third.variables().get("decline_reason"))
        .asString()
        .contains("2 agents of this profile are starting");
  }

  @Test
  void aClusterProfilesOwnCeilingOverridesTheDefaultWhateverTheCaseOfItsId() {
    String other = "other-" + UUID.randomUUID();
    AgentServices services =
        services(
            Map.of(
                ceiling("max-running-agents"),
                "2",
                ceiling("cluster-profiles." + cluster.toUpperCase() + ".max-running-agents"),
                "5"));

    for (int agent = 0; agent < 5; agent++) {
      services.created(request(cluster, ASKS_FOR_EVERYTHING));
    }
    services.created(request(other, ASKS_FOR_EVERYTHING));
    services.created(request(other, ASKS_FOR_EVERYTHING));

    assertThat(
            services
                .lifecycle
                .createAgent(request(cluster, ASKS_FOR_EVERYTHING), AgentServices.createAgentJob())
                .variables()
                .get("decline_reason"))
        .asString()
        .contains("is at its maximum of 5 running agents");
    assertThat(
            services
                .lifecycle
                .createAgent(request(other, ASKS_FOR_EVERYTHING), AgentServices.createAgentJob())
                .variables()
                .get("decline_reason"))
        .asString()
        .contains("is at its maximum of 2 running agents");
  }

  @Test
  void anApprovedGrantGoesPastTheCeiling() {
    AgentServices services = services(Map.of(ceiling("max-running-agents"), "2"));
    services.created(request(cluster, ASKS_FOR_EVERYTHING));
    services.created(request(cluster, ASKS_FOR_EVERYTHING));
    CreateAgentRequest approved = request(cluster, ASKS_FOR_EVERYTHING);
    assertThat(services.lifecycle.createAgent(approved, AgentServices.createAgentJob()).outcome())
        .isEqualTo(DecisionOutcome.DECLINED);
    services.registry.grantCapacity(
        new CapacityGrant(
            "task-" + UUID.randomUUID(),
            approved.jobIdentifier().orElseThrow().jobId(),
            cluster,
            AgentProfile.from(approved.environment(), approved.profileProperties(), true).key(),
            3));

    RecordedDecision decision =
        services.lifecycle.createAgent(approved, AgentServices.createAgentJob());

    assertThat(decision.outcome()).isEqualTo(DecisionOutcome.CREATED);
    assertThat(services.registry.runningAgents(cluster)).isEqualTo(3);
  }

  @Test
  void aRequestUnderTheCeilingKeepsItsOwnLowerLimit() {
    AgentServices services = services(Map.of(ceiling("max-running-agents"), "4"));
    Map<String, String> twoAgents = Map.of("max_running_agents", "2");

    services.created(request(cluster, twoAgents));
    services.created(request(cluster, twoAgents));
    RecordedDecision third =
        services.lifecycle.createAgent(request(cluster, twoAgents), AgentServices.createAgentJob());

    assertThat(third.variables().get("decline_reason"))
        .asString()
        .contains("is at its maximum of 2 running agents");
    assertThat(logged.list).isEmpty();
  }

  @Test
  void aCappedRequestIsLoggedOnceAtWarnWithTheLimitsAlone() {
    AgentServices services = services(Map.of(ceiling("max-running-agents"), "4"));
    Map<String, String> withSecret = new HashMap<>(ASKS_FOR_EVERYTHING);
    withSecret.put("service_token", "token-that-must-not-be-logged");

    services.created(request(cluster, withSecret));
    services.created(request(cluster, withSecret));

    assertThat(logged.list).hasSize(1);
    ILoggingEvent warning = logged.list.get(0);
    assertThat(warning.getLevel()).isEqualTo(Level.WARN);
    assertThat(warning.getFormattedMessage())
        .contains(cluster, "100000", "at most 4", "elastic-agents.capacity-ceilings")
        .doesNotContain("token-that-must-not-be-logged");
  }

  @Test
  void twoCeilingsForIdsThatDifferOnlyInCaseRefuseToStart() {
    Binder binder =
        new Binder(
            new MapConfigurationPropertySource(
                Map.of(
                    ceiling("cluster-profiles.Kubernetes.max-running-agents"), "5",
                    ceiling("cluster-profiles.kubernetes.max-running-agents"), "6")));

    assertThatThrownBy(
            () -> binder.bindOrCreate("elastic-agents.capacity-ceilings", CapacityCeilings.class))
        .isInstanceOf(BindException.class)
        .rootCause()
        .hasMessageContaining("which GoCD takes for one cluster profile");
  }

  private AgentServices services(Map<String, String> limits) {
    return new AgentServices(
        RegistryDatabases.newPostgresDatabase(),
        provider,
        clock,
        AgentServices.properties(10, 10),
        limits);
  }

  private static String ceiling(String property) {
    return "elastic-agents.capacity-ceilings." + property;
  }

  static Map<String, String> withId(String id, Map<String, String> clusterProperties) {
    Map<String, String> properties = new HashMap<>(clusterProperties);
    properties.put("id", id);
    return properties;
  }

  static CreateAgentRequest request(String id, Map<String, String> clusterProperties) {
    return new CreateAgentRequest(
        new AutoRegisterKey("secret-key"),
        "production",
        Map.of("image", "gocd-agent"),
        withId(id, clusterProperties),
        Optional.of(AgentServices.jobIdentifierOf(JOB_IDS.incrementAndGet())),
        0);
  }

  static List<String> ids(int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add("profile-" + i + "-" + UUID.randomUUID());
    }
    return ids;
  }
}
