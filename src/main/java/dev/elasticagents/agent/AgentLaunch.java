package dev.elasticagents.agent;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a provider needs to start one agent. {@link #toString()} leaves out the auto-register key.
 */
public record AgentLaunch(
    String agentId, String pluginId, AutoRegisterKey autoRegisterKey, AgentProfile profile) {

  public AgentLaunch {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(pluginId, "pluginId");
    Objects.requireNonNull(autoRegisterKey, "autoRegisterKey");
    Objects.requireNonNull(profile, "profile");
  }

  /**
   * The agent's {@code autoregister.properties}, in the order GoCD documents them. No resources
   * are set: an elastic agent takes jobs by its profile.
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
