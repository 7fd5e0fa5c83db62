package dev.elasticagents.approval;

import dev.elasticagents.runtime.JobVariables;
import java.util.Map;

/**
 * What an approval decides on: the environment, elastic agent profile and cluster profile of a
 * GoCD create-agent request. Read from the request's own variables (v1 {@code properties} or v5
 * {@code elastic_agent_profile_properties}); the auto-register key is never read here.
 */
public record ApprovalRequest(
    String environment, Map<String, String> profileProperties, String clusterProfileId) {

  /** The cluster profile of a request that names none. */
  public static final String DEFAULT_CLUSTER_PROFILE = "default";

  static final String V1_PROPERTIES = "properties";
  static final String V5_PROFILE_PROPERTIES = "elastic_agent_profile_properties";
  static final String CLUSTER_PROFILE_PROPERTIES = "cluster_profile_properties";

  public ApprovalRequest {
    profileProperties = Map.copyOf(profileProperties);
  }

  /**
   * Reads a request from job variables.
   *
   * @throws dev.elasticagents.runtime.InvalidJobVariablesException listing every problem found
   */
  public static ApprovalRequest read(JobVariables variables) {
    String environment = variables.optionalString("environment").orElse("");
    Map<String, String> v1Properties = variables.stringMap(V1_PROPERTIES);
    Map<String, String> v5Properties = variables.stringMap(V5_PROFILE_PROPERTIES);
    Map<String, String> clusterProperties = variables.stringMap(CLUSTER_PROFILE_PROPERTIES);
    if (!v1Properties.isEmpty() && !v5Properties.isEmpty() && !v1Properties.equals(v5Properties)) {
      variables.reject(
          "give the agent profile either as '%s' (v1) or as '%s' (v5), not as both with different values"
              .formatted(V1_PROPERTIES, V5_PROFILE_PROPERTIES));
    }
    variables.throwIfInvalid();
    String clusterProfileId = clusterProperties.getOrDefault("id", "");
    return new ApprovalRequest(
        environment,
        v5Properties.isEmpty() ? v1Properties : v5Properties,
        clusterProfileId.isBlank() ? DEFAULT_CLUSTER_PROFILE : clusterProfileId);
  }
}
