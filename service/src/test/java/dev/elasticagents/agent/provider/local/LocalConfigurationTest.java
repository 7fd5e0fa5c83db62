package dev.elasticagents.agent.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.agent.AgentProperties;
import dev.elasticagents.testing.AgentServices;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The instance id that local agents are owned by. */
class LocalConfigurationTest {

  @Test
  void theDefaultInstanceIdStaysTheSameAcrossRestartsWithTheSameWorkDirectory() {
    assertThat(LocalConfiguration.instanceId(properties(""), local("target/agents-a")))
        .isEqualTo(LocalConfiguration.instanceId(properties(""), local("target/agents-a")))
        .matches("[^ ]{1,60}-[0-9a-f]{8}");
  }

  @Test
  void instancesWithTheirOwnWorkDirectoriesOnOneHostGetTheirOwnIds() {
    assertThat(LocalConfiguration.instanceId(properties(""), local("target/agents-a")))
        .isNotEqualTo(LocalConfiguration.instanceId(properties(""), local("target/agents-b")));
  }

  @Test
  void aConfiguredInstanceIdIsUsedAsItIs() {
    assertThat(
            LocalConfiguration.instanceId(properties(" gocd-agents-0 "), local("target/agents-a")))
        .isEqualTo("gocd-agents-0");
  }

  private static AgentProperties properties(String instanceId) {
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
        "local");
  }

  private static LocalProperties local(String workDirectory) {
    return new LocalProperties(
        Path.of(workDirectory),
        List.of("sleep", "infinity"),
        Duration.ofSeconds(1),
        false,
        List.of());
  }
}
