package dev.elasticagents.agent;

import dev.elasticagents.runtime.JobVariables;
import java.util.Map;

/** GoCD's should-assign-work: may this agent take this job? The profiles are those of the job. */
public record WorkOffer(
    String agentId,
    JobIdentifier job,
    String environment,
    Map<String, String> profileProperties,
    Map<String, String> clusterProfileProperties) {

  public WorkOffer {
    profileProperties = Map.copyOf(profileProperties);
    clusterProfileProperties = Map.copyOf(clusterProfileProperties);
  }

  /**
   * Reads a should-assign-work body: {@code agent.agent_id}, {@code environment}, {@code
   * job_identifier} and both property maps.
   *
   * @throws dev.elasticagents.runtime.InvalidJobVariablesException listing every problem found
   */
  public static WorkOffer from(JobVariables body) {
    String agentId =
        body.optionalObject("agent").map(agent -> agent.requiredString("agent_id")).orElse("");
    if (!AgentId.isValid(agentId)) {
      body.reject("'agent.agent_id' must be the id of an agent of this service");
    }
    JobIdentifier job = body.optionalObject("job_identifier").map(JobIdentifier::read).orElse(null);
    if (job == null) {
      body.reject("'job_identifier' is required");
    }
    String environment = body.optionalString("environment").orElse("");
    Map<String, String> profile = body.stringMap(CreateAgentRequest.V5_PROFILE_PROPERTIES);
    Map<String, String> cluster = body.stringMap("cluster_profile_properties");
    body.throwIfInvalid();
    return new WorkOffer(agentId, job, environment, profile, cluster);
  }
}
