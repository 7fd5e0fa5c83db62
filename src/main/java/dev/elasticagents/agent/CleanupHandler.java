package dev.elasticagents.agent;

import dev.elasticagents.runtime.JobHandler;
import dev.elasticagents.runtime.JobOutcome;
import dev.elasticagents.runtime.JobVariables;
import io.camunda.client.api.response.ActivatedJob;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Handles {@code cleanup-agents} jobs with GoCD {@code server-ping} semantics. The optional
 * {@code all_known_agents} variable is the server-ping body's list of agents the GoCD server knows
 * ({@code [{agent_id, agent_state, ...}]}); a timer-started run has none.
 */
@Component
public class CleanupHandler implements JobHandler {

  static final String JOB_TYPE = "cleanup-agents";

  private final AgentCleanup cleanup;

  public CleanupHandler(AgentCleanup cleanup) {
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
    JobVariables variables = JobVariables.of(job.getVariablesAsMap());
    List<String> known =
        variables.objects("all_known_agents").stream()
            .map(agent -> agent.requiredString("agent_id"))
            .filter(AgentId::isValid)
            .toList();
    variables.throwIfInvalid();
    return JobOutcome.complete(cleanup.cleanUp(known, DecisionKey.of(job)).variables());
  }
}
