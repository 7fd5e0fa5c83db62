package dev.elasticagents.agent.provider.local;

import dev.elasticagents.agent.AgentProperties;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The {@code local} provider, chosen by {@code elastic-agents.provider: local}, the default. */
@Configuration(proxyBeanMethods = false)
class LocalConfiguration {

  @Bean
  @ConditionalOnProperty(
      name = "elastic-agents.provider",
      havingValue = "local",
      matchIfMissing = true)
  LocalAgentProvider localAgentProvider(AgentProperties properties, LocalProperties local) {
    return new LocalAgentProvider(local, instanceId(properties, local));
  }

  /**
   * The configured instance id, or one that stays the same across restarts of this instance: the
   * host name and a digest of the local work directory, so that two instances on one host with
   * their own directories own their own agents.
   */
  static String instanceId(AgentProperties properties, LocalProperties local) {
    if (!properties.instanceId().isBlank()) {
      return properties.instanceId().strip();
    }
    String directory = local.workDirectory().toAbsolutePath().normalize().toString();
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(directory.getBytes(StandardCharsets.UTF_8));
      String host = hostName();
      return host.substring(0, Math.min(host.length(), 60))
          + "-"
          + HexFormat.of().formatHex(digest, 0, 4);
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
