package dev.elasticagents.agent;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the service runs elastic agents.
 *
 * @param pluginId the plugin id agents register with ({@code
 *     agent.auto.register.elasticAgent.pluginId})
 * @param clusterDefaults values for cluster profiles that do not set them
 * @param reuseAgents whether agents are kept for another job when the profile does not say
 * @param declineRetryAfter how long the model waits before asking again after a decline
 * @param declineRetries how often a lifecycle asks again after a decline before it ends; the GoCD
 *     server sends create-agent again for a job that still waits, which starts a new one
 * @param terminationTimeout how long a claimed termination may take before cleanup takes it over
 *     from a claimer that died
 * @param decisionRetention how long recorded decisions are kept for redelivered jobs
 * @param instanceId this service instance's stable id: local agents belong to the instance that
 *     launched them; empty means the host name and the local work directory
 * @param completionRepairGrace how long GoCD's server-pings must show a busy agent idle (or not
 *     list it) before its job-completion counts as lost and is repaired: two pings at least this
 *     far apart
 * @param lifecycleMessageTimeToLive how long a message for a lifecycle ({@code agent-lost}, a
 *     repaired {@code job-completed}) waits for the lifecycle to reach its wait
 * @param lifecycleMessageInterval how often recorded lifecycle messages are published
 * @param provider which agent provider launches agents: {@code local} or {@code kubernetes}
 */
@ConfigurationProperties("elastic-agents")
public record AgentProperties(
    @DefaultValue("dev.elasticagents.zeebe") String pluginId,
    @DefaultValue ClusterDefaults clusterDefaults,
    @DefaultValue("true") boolean reuseAgents,
    @DefaultValue("PT30S") Duration declineRetryAfter,
    @DefaultValue("10") int declineRetries,
    @DefaultValue("PT5M") Duration terminationTimeout,
    @DefaultValue("P30D") Duration decisionRetention,
    @DefaultValue("") String instanceId,
    @DefaultValue("PT2M") Duration completionRepairGrace,
    @DefaultValue("PT1H") Duration lifecycleMessageTimeToLive,
    @DefaultValue("PT1S") Duration lifecycleMessageInterval,
    @DefaultValue("local") String provider) {

  public AgentProperties {
    if (instanceId.length() > 80) {
      throw new IllegalArgumentException(
          "elastic-agents.instance-id must be at most 80 characters");
    }
    if (!lifecycleMessageInterval.isPositive()) {
      throw new IllegalArgumentException(
          "elastic-agents.lifecycle-message-interval must be positive: "
              + lifecycleMessageInterval);
    }
    if (declineRetries < 0) {
      throw new IllegalArgumentException(
          "elastic-agents.decline-retries must not be negative: " + declineRetries);
    }
  }

  /**
   * Cluster profile values used when its properties leave them out.
   *
   * @param maxRunningAgents agents of one cluster profile that may run at once, idle ones included
   * @param maxPendingAgents agents of one profile that may be starting at once; more requests are
   *     declined because enough agents will soon be idle
   * @param idleTimeout how long a kept agent waits for another job before cleanup terminates it
   * @param autoRegisterTimeout how long a new agent may take to register before cleanup terminates
   *     it
   * @param maxBuildDuration how long a job may keep its agent; then the agent is terminated and the
   *     job's lifecycle ends
   */
  public record ClusterDefaults(
      @DefaultValue("10") int maxRunningAgents,
      @DefaultValue("5") int maxPendingAgents,
      @DefaultValue("PT10M") Duration idleTimeout,
      @DefaultValue("PT10M") Duration autoRegisterTimeout,
      @DefaultValue("PT24H") Duration maxBuildDuration) {}
}
