package dev.elasticagents.agent.jobs;

import dev.elasticagents.agent.AgentId;
import dev.elasticagents.agent.ReleaseRequest;
import dev.elasticagents.agent.lifecycle.AgentLifecycle;
import dev.elasticagents.runtime.InvalidJobVariablesException;
import dev.elasticagents.runtime.JobHandler;
import dev.elasticagents.runtime.JobOutcome;
import dev.elasticagents.runtime.JobVariables;
import io.camunda.client.api.response.ActivatedJob;
import java.util.List;
import java.util.Optional;

/**
 * Handles the jobs that let go of a lifecycle's agent: {@code job-completion} (GoCD reported the
 * job completed: keep the agent for reuse or terminate it) and {@code terminate-agent} (the job ran
 * past its maximum build duration). Both read {@code elastic_agent_id}, the lifecycle's {@code
 * agent_assignment} and the completed job ({@code completed_job}, as the job-completed message
 * carried it, else {@code job_identifier}), and complete with {@code completion_decision} and
 * {@code completion_reason}.
 */
class ReleaseAgentHandler implements JobHandler {

  /** GoCD reported the job completed. */
  static final String JOB_COMPLETION = "job-completion";

  /** The job ran past its maximum build duration. */
  static final String TERMINATE_AGENT = "terminate-agent";

  private final String jobType;
  private final ReleaseRequest.Cause cause;
  private final AgentLifecycle lifecycle;

  ReleaseAgentHandler(String jobType, ReleaseRequest.Cause cause, AgentLifecycle lifecycle) {
    this.jobType = jobType;
    this.cause = cause;
    this.lifecycle = lifecycle;
  }

  @Override
  public String jobType() {
    return jobType;
  }

  @Override
  public List<String> fetchVariables() {
    return List.of("elastic_agent_id", "agent_assignment", "completed_job", "job_identifier");
  }

  @Override
  public JobOutcome handle(ActivatedJob job) {
    JobVariables variables = JobVariables.of(job.getVariablesAsMap());
    String agentId = variables.requiredString("elastic_agent_id");
    Optional<String> assignment = variables.optionalString("agent_assignment");
    // Only the job's id is compared: a repaired job-completion carries nothing else.
    Optional<Long> completed =
        variables
            .optionalObject("completed_job")
            .or(() -> variables.optionalObject("job_identifier"))
            .map(completedJob -> completedJob.requiredWholeNumber("job_id"));
    variables.throwIfInvalid();
    if (!AgentId.isValid(agentId)) {
      throw new InvalidJobVariablesException(
          List.of("'elastic_agent_id' may hold only letters, digits, '_' and '-' (at most 64)"));
    }
    ReleaseRequest release = new ReleaseRequest(agentId, assignment, completed, cause);
    return JobOutcome.complete(lifecycle.release(release, DecisionKeys.of(job)).variables());
  }
}
