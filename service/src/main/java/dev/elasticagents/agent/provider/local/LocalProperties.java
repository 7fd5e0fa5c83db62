package dev.elasticagents.agent.provider.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code local} provider: each agent is an operating-system process.
 *
 * @param workDirectory where each agent gets a directory of its own
 * @param command the agent's command line, run without a shell in the agent's directory
 * @param stopTimeout how long a terminated agent may take to exit before it is killed
 * @param stopAgentsOnShutdown whether the agents this service launched stop when it stops; off by
 *     default, because a running agent is somebody's build and the next start adopts it
 * @param passedEnvironment the names of the service's environment variables an agent gets besides
 *     {@code PATH}, {@code HOME} and {@code LANG}; nothing else of the service's environment (its
 *     endpoint token, database and cluster credentials) reaches an agent
 */
@ConfigurationProperties("elastic-agents.local")
public record LocalProperties(
    @DefaultValue("elastic-agents") Path workDirectory,
    @DefaultValue({"sleep", "infinity"}) List<String> command,
    @DefaultValue("PT10S") Duration stopTimeout,
    @DefaultValue("false") boolean stopAgentsOnShutdown,
    @DefaultValue({}) List<String> passedEnvironment) {

  /** What every agent gets of the service's environment, whatever the operator names. */
  static final List<String> ALWAYS_PASSED = List.of("PATH", "HOME", "LANG");

  public LocalProperties {
    passedEnvironment = List.copyOf(passedEnvironment);
  }
}
