package dev.elasticagents.agent.jobs;

import dev.elasticagents.agent.AgentId;
import dev.elasticagents.agent.GoCdAgent;
import dev.elasticagents.agent.lifecycle.AgentCleanup;
import dev.elasticagents.runtime.JobHandler;
import dev.elasticagents.runtime.JobOutcome;
import dev.elasticagents.runtime.JobVariables;
import io.camunda.client.api.response.ActivatedJob;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Handles {@code cleanup-agents} jobs with GoCD {@code server-ping} semantics. The optional {@code
 * all_known_agents} variable is the server-ping body's list of agents the GoCD server knows ({@code
 * [{agent_id, build_state, ...}]}), from which it also repairs lost job-completions; a
 * timer-started run has none.
 */
@Component
class CleanupHandler implements JobHandler {

  static final String JOB_TYPE = "cleanup-agents";

  private final AgentCleanup cleanup;

  CleanupHandler(AgentCleanup cleanup) {
    this.cleanup = cleanup;
  }

  @Override
  public String jobType() {
    return JOB_TYPE;
  }

  @Override
  public List<String> fetchVariables() {
    return List.of("all_known_agents");
  }

  @Override
  public JobOutcome handle(ActivatedJob job) {
    Map<String, Object> values = job.getVariablesAsMap();
    JobVariables variables = JobVariables.of(values);
    List<GoCdAgent> listed =
        variables.objects("all_known_agents").stream()
            .map(
                agent ->
                    new GoCdAgent(
                        agent.requiredString("agent_id"),
                        agent.optionalString("build_state").orElse("")))
            .filter(agent -> AgentId.isValid(agent.id()))
            .toList();
    variables.throwIfInvalid();
    if (!values.containsKey("all_known_agents")) {
      return JobOutcome.complete(cleanup.cleanUp(List.of(), DecisionKeys.of(job)).variables());
    }
    return JobOutcome.complete(cleanup.cleanUpAfterPing(listed, DecisionKeys.of(job)).variables());
  }
}
