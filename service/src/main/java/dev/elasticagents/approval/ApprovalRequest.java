package dev.elasticagents.approval;

import dev.elasticagents.runtime.JobVariables;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What an approval decides on: the environment, elastic agent profile, cluster profile and GoCD job
 * of a create-agent request. Read from the request's own variables (v1 {@code properties} or v5
 * {@code elastic_agent_profile_properties}, {@code job_identifier.job_id}); the auto-register key
 * is never read here.
 *
 * @param jobId the GoCD job an approved override is for; a request without one cannot be approved
 */
public record ApprovalRequest(
    String environment,
    Map<String, String> profileProperties,
    String clusterProfileId,
    Optional<Long> jobId) {

  /** The cluster profile of a request that names none. */
  public static final String DEFAULT_CLUSTER_PROFILE = "default";

  static final String V1_PROPERTIES = "properties";
  static final String V5_PROFILE_PROPERTIES = "elastic_agent_profile_properties";
  static final String CLUSTER_PROFILE_PROPERTIES = "cluster_profile_properties";
  static final String JOB_IDENTIFIER = "job_identifier";

  /** The variables an approval reads. */
  static final List<String> VARIABLES =
      List.of(
          "environment",
          V1_PROPERTIES,
          V5_PROFILE_PROPERTIES,
          CLUSTER_PROFILE_PROPERTIES,
          JOB_IDENTIFIER);

  public ApprovalRequest {
    profileProperties = Map.copyOf(profileProperties);
    Objects.requireNonNull(jobId, "jobId");
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
    Optional<Long> jobId =
        variables.optionalObject(JOB_IDENTIFIER).map(job -> job.requiredWholeNumber("job_id"));
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
        clusterProfileId.isBlank() ? DEFAULT_CLUSTER_PROFILE : clusterProfileId,
        jobId);
  }
}
