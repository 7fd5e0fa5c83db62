package dev.elasticagents.agent;

import dev.elasticagents.runtime.JobVariables;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GoCD {@code create-agent} request. Accepts the v1/v2 body ({@code properties}) and the v5 body
 * ({@code elastic_agent_profile_properties}, {@code cluster_profile_properties}, {@code
 * job_identifier}); v1 {@code properties} are read as the elastic agent profile. {@code declines}
 * counts the lifecycle's declines so far. Nothing in the request can lift a capacity limit: only a
 * {@link CapacityGrant} recorded by an approval does.
 */
public record CreateAgentRequest(
    AutoRegisterKey autoRegisterKey,
    String environment,
    Map<String, String> profileProperties,
    Map<String, String> clusterProfileProperties,
    Optional<JobIdentifier> jobIdentifier,
    int declines) {

  static final String V1_PROPERTIES = "properties";
  static final String V5_PROFILE_PROPERTIES = "elastic_agent_profile_properties";

  /** The variables a create-agent job reads. */
  public static final List<String> VARIABLES =
      List.of(
          AgentDecision.AUTO_REGISTER_KEY,
          "environment",
          V1_PROPERTIES,
          V5_PROFILE_PROPERTIES,
          "cluster_profile_properties",
          "job_identifier",
          "declines");

  public CreateAgentRequest {
    profileProperties = Map.copyOf(profileProperties);
    clusterProfileProperties = Map.copyOf(clusterProfileProperties);
  }

  /**
   * Reads a request from job variables.
   *
   * @throws dev.elasticagents.runtime.InvalidJobVariablesException listing every problem found
   */
  public static CreateAgentRequest from(JobVariables variables) {
    AutoRegisterKey key =
        new AutoRegisterKey(variables.requiredString(AgentDecision.AUTO_REGISTER_KEY));
    String environment = variables.optionalString("environment").orElse("");
    Map<String, String> v1Properties = variables.stringMap(V1_PROPERTIES);
    Map<String, String> v5Properties = variables.stringMap(V5_PROFILE_PROPERTIES);
    Map<String, String> clusterProperties = variables.stringMap("cluster_profile_properties");
    Optional<JobIdentifier> job =
        variables.optionalObject("job_identifier").map(JobIdentifier::read);
    long declines = variables.optionalWholeNumber("declines").orElse(0L);
    if (!v1Properties.isEmpty() && !v5Properties.isEmpty() && !v1Properties.equals(v5Properties)) {
      variables.reject(
          "give the agent profile either as '%s' (v1) or as '%s' (v5), not as both with different values"
              .formatted(V1_PROPERTIES, V5_PROFILE_PROPERTIES));
    }
    if (declines < 0 || declines > Integer.MAX_VALUE) {
      variables.reject("'declines' must be a whole number from 0");
    }
    variables.throwIfInvalid();
    return new CreateAgentRequest(
        key,
        environment,
        v5Properties.isEmpty() ? v1Properties : v5Properties,
        clusterProperties,
        job,
        (int) declines);
  }
}
