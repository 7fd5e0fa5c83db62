package dev.elasticagents.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The instance id that local agents are owned by. */
class AgentConfigurationTest {

  @Test
  void theDefaultInstanceIdStaysTheSameAcrossRestartsWithTheSameWorkDirectory() {
    assertThat(AgentConfiguration.instanceId(properties("", "target/agents-a")))
        .isEqualTo(AgentConfiguration.instanceId(properties("", "target/agents-a")))
        .matches("[^ ]{1,60}-[0-9a-f]{8}");
  }

  @Test
  void instancesWithTheirOwnWorkDirectoriesOnOneHostGetTheirOwnIds() {
    assertThat(AgentConfiguration.instanceId(properties("", "target/agents-a")))
        .isNotEqualTo(AgentConfiguration.instanceId(properties("", "target/agents-b")));
  }

  @Test
  void aConfiguredInstanceIdIsUsedAsItIs() {
    assertThat(AgentConfiguration.instanceId(properties(" gocd-agents-0 ", "target/agents-a"))).isEqualTo("gocd-agents-0");
  }

  private static AgentProperties properties(String instanceId, String workDirectory) {
    AgentProperties defaults = AgentServices.properties(10, 10);
    return new AgentProperties(
        defaults.pluginId(),
        defaults.clusterDefaults(),
        defaults.reuseAgents(),
        defaults.declineRetryAfter(),
        defaults.declineRetries(),
        defaults.terminationTimeout(),
        defaults.decisionRetention(),
        instanceId,
        defaults.completionRepairGrace(),
        defaults.lifecycleMessageTimeToLive(),
        defaults.lifecycleMessageInterval(),
        "local",
        new AgentProperties.Local(Path.of(workDirectory), List.of("sleep", "infinity"), Duration.ofSeconds(1), false));
  }
}
