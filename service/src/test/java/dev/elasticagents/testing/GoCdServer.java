package dev.elasticagents.testing;

import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.gocd.testing.GoCdBody;
import dev.elasticagents.runtime.JobVariables;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.CamundaFuture;
import io.camunda.client.api.command.ClientException;
import io.camunda.client.api.command.ClientStatusException;
import io.camunda.client.api.response.ProcessInstanceResult;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What a GoCD server sends the service: create-agent requests, job completions and server pings
 * arrive as messages. A create-agent request is the message {@code agent-requested} correlated by
 * the GoCD job id, so that the server's re-sends start nothing while the job's lifecycle runs.
 */
public final class GoCdServer {

  private static final String LIFECYCLE = "elastic-agent-lifecycle";
  private static final Duration RETRY_LIMIT = Duration.ofSeconds(90);
  private static final Duration RETRY_PAUSE = Duration.ofMillis(250);
  private static final Set<Status.Code> TRANSIENT =
      EnumSet.of(
          Status.Code.UNAVAILABLE,
          Status.Code.ABORTED,
          Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.INTERNAL,
          Status.Code.UNKNOWN);

  private final CamundaClient client;

  public GoCdServer(CamundaClient client) {
    this.client = client;
  }

  /** A v5 create-agent body for GoCD job {@code jobId} of pipeline up42. */
  public static Map<String, Object> createAgentRequest(
      int jobId,
      Map<String, String> profileProperties,
      Map<String, String> clusterProfileProperties) {
    return createAgentBody(jobId, profileProperties, clusterProfileProperties).toMap();
  }

  /** {@link #createAgentRequest} as a body to change further. */
  public static GoCdBody createAgentBody(
      int jobId,
      Map<String, String> profileProperties,
      Map<String, String> clusterProfileProperties) {
    return GoCdBody.createAgent()
        .withAutoRegisterKey(UUID.randomUUID().toString())
        .withEnvironment("production")
        .withElasticAgentProfile(profileProperties)
        .withClusterProfile(clusterProfileProperties)
        .withJobId(jobId)
        .withPipeline("up42", jobId, String.valueOf(jobId));
  }

  /** The job a request made by {@link #createAgentRequest} is for. */
  @SuppressWarnings("unchecked")
  public static JobIdentifier jobOf(Map<String, Object> request) {
    return JobIdentifier.read(JobVariables.of((Map<String, Object>) request.get("job_identifier")));
  }

  /**
   * Sends create-agent as the GoCD server does, again and again while the job waits. The message
   * lives for no time: it starts a lifecycle or, while one runs for the job, nothing.
   */
  public void createAgent(Map<String, Object> request) {
    retrying(
        () ->
            client
                .newPublishMessageCommand()
                .messageName("agent-requested")
                .correlationKey(correlationKeyOf(request))
                .variables(request)
                .timeToLive(Duration.ZERO)
                .send()
                .join());
  }

  /** The GoCD job id of a request, or a key of its own for a request without one (v1). */
  @SuppressWarnings("unchecked")
  static String correlationKeyOf(Map<String, Object> request) {
    return request.get("job_identifier") instanceof Map<?, ?> job && job.get("job_id") != null
        ? String.valueOf(((Map<String, Object>) job).get("job_id"))
        : "request-" + UUID.randomUUID();
  }

  /**
   * Starts the lifecycle directly (its plain start event); the future completes with the
   * lifecycle's variables when it ends.
   */
  public CamundaFuture<ProcessInstanceResult> createAgentUntilReleased(
      Map<String, Object> request) {
    return client
        .newCreateInstanceCommand()
        .bpmnProcessId(LIFECYCLE)
        .latestVersion()
        .variables(request)
        .withResult()
        .requestTimeout(InstanceResults.REQUEST_TIMEOUT)
        .send();
  }

  /**
   * Sends job-completion for the agent that ran the request's job, once: GoCD sends it from a
   * listener that acknowledges on receipt and never sends it again, so a completion that fails here
   * is lost (the service repairs it from GoCD's agent list).
   */
  public void jobCompleted(String agentId, Map<String, Object> request) {
    client
        .newPublishMessageCommand()
        .messageName("job-completed")
        .correlationKey(agentId)
        .variables(Map.of("job_identifier", request.get("job_identifier")))
        .timeToLive(Duration.ofMinutes(5))
        .send()
        .join();
  }

  /** Sends server-ping listing the agents the server knows, none of them building. */
  public void serverPing(List<String> knownAgents) {
    serverPing(
        knownAgents.stream().collect(java.util.stream.Collectors.toMap(id -> id, id -> "Idle")));
  }

  /** Sends server-ping listing the agents the server knows, each with its build state. */
  public void serverPing(Map<String, String> buildStateByAgent) {
    retrying(
        () ->
            client
                .newPublishMessageCommand()
                .messageName("server-ping")
                .withoutCorrelationKey()
                .variables(
                    Map.of(
                        "all_known_agents",
                        buildStateByAgent.entrySet().stream()
                            .map(
                                agent ->
                                    Map.of(
                                        "agent_id", agent.getKey(),
                                        "agent_state", agent.getValue(),
                                        "build_state", agent.getValue(),
                                        "config_state", "Enabled"))
                            .toList()))
                .send()
                .join());
  }

  /**
   * Sends a message again while the cluster cannot take it (a connection the gateway lost, back
   * pressure, a broker restarting), as a GoCD server sends create-agent and server-ping again;
   * gives up after {@link #RETRY_LIMIT}. Each message here may arrive twice: the lifecycle expects
   * that of GoCD. Job-completion is not sent again: GoCD does not.
   */
  private void retrying(Runnable publish) {
    Instant deadline = Instant.now().plus(RETRY_LIMIT);
    while (true) {
      try {
        publish.run();
        return;
      } catch (ClientStatusException e) {
        if (!TRANSIENT.contains(e.getStatusCode()) || Instant.now().isAfter(deadline)) {
          throw e;
        }
      } catch (ClientException e) {
        if (Instant.now().isAfter(deadline)) {
          throw e;
        }
      }
      try {
        Thread.sleep(RETRY_PAUSE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while sending a GoCD message", e);
      }
    }
  }
}
