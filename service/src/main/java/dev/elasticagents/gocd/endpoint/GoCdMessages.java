package dev.elasticagents.gocd.endpoint;

import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.LifecycleMessage;
import dev.elasticagents.runtime.MessagePublisher;
import io.camunda.client.CamundaClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The GoCD server's messages as Zeebe messages: {@code agent-requested} starts the lifecycle of a
 * GoCD job, {@code job-completed} ends the build of an agent, {@code server-ping} runs cleanup.
 */
@Component
class GoCdMessages {

  private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);

  private final CamundaClient client;
  private final MessagePublisher publisher;
  private final GoCdEndpointProperties properties;

  GoCdMessages(
      CamundaClient client, MessagePublisher publisher, GoCdEndpointProperties properties) {
    this.client = client;
    this.publisher = publisher;
    this.properties = properties;
  }

  /**
   * Correlated by the GoCD job id and kept for no time: it starts the job's lifecycle, or nothing
   * while one runs, so GoCD's re-sends for a waiting job start no second lifecycle.
   */
  void agentRequested(JobIdentifier job, Map<String, Object> createAgentBody) {
    client
        .newPublishMessageCommand()
        .messageName("agent-requested")
        .correlationKey(String.valueOf(job.jobId()))
        .timeToLive(Duration.ZERO)
        .variables(createAgentBody)
        .requestTimeout(PUBLISH_TIMEOUT)
        .send()
        .join();
  }

  /**
   * Correlated by the agent, with a message id per agent and job: a re-sent job-completion while
   * the first waits for its lifecycle is refused by the engine as a duplicate, which is success.
   */
  void jobCompleted(String agentId, JobIdentifier job, Map<String, Object> jobIdentifier) {
    publisher.publish(
        LifecycleMessage.JOB_COMPLETED,
        agentId,
        LifecycleMessage.jobCompletedId(agentId, String.valueOf(job.jobId())),
        properties.jobCompletedTimeToLive(),
        Map.of("job_identifier", jobIdentifier));
  }

  /** Starts a cleanup with the agents the GoCD server knows. */
  void serverPing(List<Map<String, Object>> knownAgents) {
    client
        .newPublishMessageCommand()
        .messageName("server-ping")
        .withoutCorrelationKey()
        .timeToLive(Duration.ZERO)
        .variables(Map.of("all_known_agents", knownAgents))
        .requestTimeout(PUBLISH_TIMEOUT)
        .send()
        .join();
  }
}
