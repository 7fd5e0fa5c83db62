package dev.elasticagents.agent.jobs;

import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.lifecycle.AgentLifecycle;
import dev.elasticagents.runtime.JobHandler;
import dev.elasticagents.runtime.JobOutcome;
import dev.elasticagents.runtime.JobVariables;
import io.camunda.client.api.response.ActivatedJob;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Handles {@code create-agent} jobs: launch, reuse or decline an agent for a GoCD job. The job
 * completes with the recorded decision, so a redelivered job completes exactly as the first did.
 */
@Component
class CreateAgentHandler implements JobHandler {

  static final String JOB_TYPE = "create-agent";

  private final AgentLifecycle lifecycle;

  CreateAgentHandler(AgentLifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  @Override
  public String jobType() {
    return JOB_TYPE;
  }

  @Override
  public List<String> fetchVariables() {
    return CreateAgentRequest.VARIABLES;
  }

  @Override
  public JobOutcome handle(ActivatedJob job) {
    CreateAgentRequest request = CreateAgentRequest.from(JobVariables.of(job.getVariablesAsMap()));
    return JobOutcome.complete(lifecycle.createAgent(request, DecisionKeys.of(job)).variables());
  }
}
