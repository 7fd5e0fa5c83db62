package dev.elasticagents.agent;

import dev.elasticagents.agent.local.LocalAgentProvider;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The agent provider chosen by {@code elastic-agents.provider}, the handlers that release agents,
 * and the clock of the domain.
 */
@Configuration(proxyBeanMethods = false)
class AgentConfiguration {

  @Bean
  @ConditionalOnProperty(name = "elastic-agents.provider", havingValue = "local", matchIfMissing = true)
  LocalAgentProvider localAgentProvider(AgentProperties properties) {
    return new LocalAgentProvider(properties.local(), instanceId(properties));
  }

  @Bean
  ReleaseAgentHandler jobCompletionHandler(AgentLifecycle lifecycle) {
    return new ReleaseAgentHandler(ReleaseAgentHandler.JOB_COMPLETION, ReleaseRequest.Cause.JOB_COMPLETED, lifecycle);
  }

  @Bean
  ReleaseAgentHandler terminateAgentHandler(AgentLifecycle lifecycle) {
    return new ReleaseAgentHandler(ReleaseAgentHandler.TERMINATE_AGENT, ReleaseRequest.Cause.BUILD_OVERRAN, lifecycle);
  }

  @Bean
  @ConditionalOnMissingBean
  Clock clock() {
    return Clock.systemUTC();
  }

  /**
   * The configured instance id, or one that stays the same across restarts of this instance: the
   * host name and a digest of the local work directory, so that two instances on one host with
   * their own directories own their own agents.
   */
  static String instanceId(AgentProperties properties) {
    if (!properties.instanceId().isBlank()) {
      return properties.instanceId().strip();
    }
    String directory = properties.local().workDirectory().toAbsolutePath().normalize().toString();
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(directory.getBytes(StandardCharsets.UTF_8));
      String host = hostName();
      return host.substring(0, Math.min(host.length(), 60)) + "-" + HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JVM has SHA-256", e);
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
