package dev.elasticagents.agent;

import java.util.Map;
import java.util.Objects;

/**
 * A message for a lifecycle that the registry recorded with the change it announces, and that is
 * published until the engine took it. Its id makes a repeated publication one message: the engine
 * refuses a second one while the first is buffered, and one that finds no lifecycle is dropped.
 *
 * @param correlationKey the agent: the lifecycle that holds it waits for messages keyed by it
 */
public record LifecycleMessage(
    String messageId, String name, String correlationKey, Map<String, Object> variables) {

  /** Ends the lifecycle that holds the agent: GoCD's next create-agent starts a new one. */
  public static final String AGENT_LOST = "agent-lost";

  /** Ends the build of the agent, as GoCD's job-completion does. */
  public static final String JOB_COMPLETED = "job-completed";

  public LifecycleMessage {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(correlationKey, "correlationKey");
    variables = Map.copyOf(variables);
  }

  /** The agent a lifecycle holds was terminated, for {@code reason}, by someone else. */
  public static LifecycleMessage agentLost(String agentId, String reason) {
    return new LifecycleMessage(
        "agent-lost:" + agentId, AGENT_LOST, agentId, Map.of("agent_lost_reason", reason));
  }

  /**
   * GoCD's job-completion for the agent's job was lost, and its agent list showed the job done. The
   * message id is the one GoCD's own job-completion gets, so a late one is the same message.
   */
  public static LifecycleMessage completionRepaired(String agentId, String jobKey, String reason) {
    return new LifecycleMessage(
        jobCompletedId(agentId, jobKey),
        JOB_COMPLETED,
        agentId,
        Map.of(
            "job_identifier",
            Map.of("job_id", Long.parseLong(jobKey)),
            "completion_repaired_reason",
            reason));
  }

  /** The id of the job-completed message of an agent and a GoCD job. */
  public static String jobCompletedId(String agentId, String jobKey) {
    return "job-completed:%s:%s".formatted(agentId, jobKey);
  }
}
