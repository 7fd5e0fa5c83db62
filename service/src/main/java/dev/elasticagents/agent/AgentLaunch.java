package dev.elasticagents.agent;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a provider needs to start one agent. {@link #toString()} leaves out the auto-register key.
 *
 * @param clusterProfileId the cluster profile the agent counts against
 * @param job the GoCD job the agent is launched for; empty for a v1 request
 * @param goServerUrl the GoCD server URL the agent connects to, when the cluster profile names one
 */
public record AgentLaunch(
    String agentId,
    String pluginId,
    AutoRegisterKey autoRegisterKey,
    AgentProfile profile,
    String clusterProfileId,
    Optional<JobIdentifier> job,
    Optional<String> goServerUrl) {

  public AgentLaunch {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(pluginId, "pluginId");
    Objects.requireNonNull(autoRegisterKey, "autoRegisterKey");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(clusterProfileId, "clusterProfileId");
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(goServerUrl, "goServerUrl");
  }

  /** A launch of the default cluster profile for no particular job. */
  public AgentLaunch(
      String agentId, String pluginId, AutoRegisterKey autoRegisterKey, AgentProfile profile) {
    this(
        agentId,
        pluginId,
        autoRegisterKey,
        profile,
        ClusterProfile.DEFAULT_ID,
        Optional.empty(),
        Optional.empty());
  }

  /**
   * The agent's {@code autoregister.properties}, in the order GoCD documents them. No resources are
   * set: an elastic agent takes jobs by its profile.
   */
  public Map<String, String> autoRegisterProperties() {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("agent.auto.register.key", autoRegisterKey.value());
    properties.put("agent.auto.register.environments", profile.environment());
    properties.put("agent.auto.register.elasticAgent.agentId", agentId);
    properties.put("agent.auto.register.elasticAgent.pluginId", pluginId);
    properties.put("agent.auto.register.hostname", agentId);
    return properties;
  }
}
