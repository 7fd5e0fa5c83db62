package dev.elasticagents.agent;

import dev.elasticagents.runtime.JobHandler;
import dev.elasticagents.runtime.JobOutcome;
import dev.elasticagents.runtime.JobVariables;
import dev.elasticagents.runtime.InvalidJobVariablesException;
import io.camunda.client.api.response.ActivatedJob;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Handles {@code job-completion} jobs (body {@code elastic_agent_id}, {@code job_identifier}):
 * terminates the agent of a finished job or keeps it for reuse.
 */
@Component
public class JobCompletionHandler implements JobHandler {

  static final String JOB_TYPE = "job-completion";

  private final AgentLifecycle lifecycle;

  public JobCompletionHandler(AgentLifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  @Override
  public String jobType() {
    return JOB_TYPE;
  }

  @Override
  public JobOutcome handle(ActivatedJob job) {
    JobVariables variables = JobVariables.of(job.getVariablesAsMap());
    String agentId = variables.requiredString("elastic_agent_id");
    // The job is not needed to release its agent, but a malformed one is still bad input.
    variables.optionalObject("job_identifier").map(JobIdentifier::read);
    variables.throwIfInvalid();
    if (!AgentId.isValid(agentId)) {
      throw new InvalidJobVariablesException(
          List.of("'elastic_agent_id' may hold only letters, digits, '_' and '-' (at most 64)"));
    }
    AgentLifecycle.JobCompletion completion = lifecycle.jobCompleted(agentId);
    return JobOutcome.complete(
        Map.of(
            "completion_decision", completion.decision().name(),
            "completion_reason", completion.reason()));
  }
}
