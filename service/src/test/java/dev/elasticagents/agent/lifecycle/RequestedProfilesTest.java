package dev.elasticagents.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.elasticagents.agent.AutoRegisterKey;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.DecisionOutcome;
import dev.elasticagents.runtime.InvalidJobVariablesException;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.MovableClock;
import dev.elasticagents.testing.RecordingAgentProvider;
import dev.elasticagents.testing.RegistryDatabases;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A cluster profile's properties come unchanged with every request of its jobs, so the service
 * reads and checks each set once: what it keeps must never let a request through that the checks
 * refuse, nor hide what the operator's settings make of it.
 */
class RequestedProfilesTest {

  private final AgentServices services =
      new AgentServices(
          RegistryDatabases.newPostgresDatabase(),
          new RecordingAgentProvider(),
          new MovableClock(Instant.parse("2026-11-23T10:00:00Z")),
          AgentServices.properties(10, 10),
          Map.of("elastic-agents.capacity-ceilings.max-running-agents", "2"));
  private final String cluster = "cluster-" + UUID.randomUUID();

  @Test
  void clusterProfilePropertiesThatFailTheirChecksAreRefusedEveryTimeTheyAreSent() {
    Map<String, String> invalid = Map.of("max_running_agents", "-1");

    for (int attempt = 0; attempt < 2; attempt++) {
      assertThatThrownBy(
              () ->
                  services.lifecycle.createAgent(
                      CapacityCeilingsTest.request(cluster, invalid),
                      AgentServices.createAgentJob()))
          .isInstanceOf(InvalidJobVariablesException.class)
          .hasMessageContaining("max_running_agents");
    }
  }

  @Test
  void theCeilingStillAppliesToEveryRequestOfAClusterProfileReadBefore() {
    Map<String, String> asksForTen = Map.of("max_running_agents", "10");

    for (int agent = 0; agent < 2; agent++) {
      services.created(CapacityCeilingsTest.request(cluster, asksForTen));
    }

    assertThat(
            services
                .lifecycle
                .createAgent(
                    CapacityCeilingsTest.request(cluster, asksForTen),
                    AgentServices.createAgentJob())
                .outcome())
        .isEqualTo(DecisionOutcome.DECLINED);
  }

  @Test
  void anAgentProfileThatFailsItsChecksIsRefusedEveryTimeItIsSent() {
    for (int attempt = 0; attempt < 2; attempt++) {
      CreateAgentRequest request =
          new CreateAgentRequest(
              new AutoRegisterKey("secret-key"),
              "production",
              Map.of("image\u0007", "gocd-agent"),
              CapacityCeilingsTest.withId(cluster, Map.of()),
              Optional.of(AgentServices.jobIdentifierOf(70_000 + attempt)),
              0);
      assertThatThrownBy(
              () -> services.lifecycle.createAgent(request, AgentServices.createAgentJob()))
          .isInstanceOf(InvalidJobVariablesException.class);
    }
  }
}
