package dev.elasticagents.agent;

import dev.elasticagents.runtime.JobHandler;
import dev.elasticagents.runtime.JobOutcome;
import dev.elasticagents.runtime.JobVariables;
import io.camunda.client.api.response.ActivatedJob;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Handles {@code create-agent} jobs: reads the GoCD request and decides on an agent for it. */
@Component
public class CreateAgentHandler implements JobHandler {

  static final String JOB_TYPE = "create-agent";

  private static final Logger log = LoggerFactory.getLogger(CreateAgentHandler.class);

  @Override
  public String jobType() {
    return JOB_TYPE;
  }

  @Override
  public JobOutcome handle(ActivatedJob job) {
    CreateAgentRequest request = CreateAgentRequest.from(JobVariables.of(job.getVariablesAsMap()));
    String agentId = "GoCD" + UUID.randomUUID().toString().replace("-", "");
    log.info(
        "Assigned elastic agent id {} to {} in environment '{}'",
        agentId,
        request.jobIdentifier().map(JobIdentifier::locator).orElse("a v1 request"),
        request.environment());
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put("agent_decision", "CREATED");
    variables.put("elastic_agent_id", agentId);
    return JobOutcome.complete(variables);
  }
}
