package dev.elasticagents.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.camunda.client.protocol.rest.BrokerInfo;
import io.camunda.client.protocol.rest.CreateProcessInstanceResult;
import io.camunda.client.protocol.rest.DeploymentFormResult;
import io.camunda.client.protocol.rest.DeploymentMetadataResult;
import io.camunda.client.protocol.rest.DeploymentProcessResult;
import io.camunda.client.protocol.rest.DeploymentResult;
import io.camunda.client.protocol.rest.JobCompletionRequest;
import io.camunda.client.protocol.rest.JobErrorRequest;
import io.camunda.client.protocol.rest.JobFailRequest;
import io.camunda.client.protocol.rest.JobResultCorrections;
import io.camunda.client.protocol.rest.JobResultUserTask;
import io.camunda.client.protocol.rest.MessagePublicationRequest;
import io.camunda.client.protocol.rest.MessagePublicationResult;
import io.camunda.client.protocol.rest.Partition;
import io.camunda.client.protocol.rest.ProcessInstanceCreationInstruction;
import io.camunda.client.protocol.rest.TopologyResponse;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.CompleteJobRequest;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.CreateProcessInstanceRequest;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.CreateProcessInstanceWithResultRequest;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.DeployResourceRequest;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.FailJobRequest;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.PublishMessageRequest;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.Resource;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.StringList;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.ThrowErrorRequest;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.TopologyRequest;
import jakarta.servlet.http.Part;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The part of the Camunda 8.8 REST API that the service and a developer use, in front of the
 * embedded engine. Bodies are the 8.8 specification's, read and written with the models that the
 * Camunda Java client generates from it; each request becomes the gateway command the real gateway
 * sends, and each engine rejection the problem the real gateway answers ({@link GatewayProblems}).
 */
final class CamundaRestApi {

  private static final String DEFAULT_TENANT = "<default>";
  // A request the engine never answers (a lost command) must not hold a request thread forever.
  private static final long ANSWER_TIMEOUT_SECONDS = 60;

  private final EngineCommands commands;
  private final ReportedVersion version;
  private final ObjectMapper json;

  CamundaRestApi(EngineCommands commands, ReportedVersion version, ObjectMapper json) {
    this.commands = commands;
    this.version = version;
    this.json = json;
  }

  /** The routes of this API. */
  RouterFunction<ServerResponse> routes(GatewayProblems problems) {
    return RouterFunctions.route()
        .POST("/v2/jobs/{jobKey}/completion", this::completeJob)
        .POST("/v2/jobs/{jobKey}/failure", this::failJob)
        .POST("/v2/jobs/{jobKey}/error", this::throwError)
        .POST("/v2/user-tasks/{userTaskKey}/assignment", this::assignUserTask)
        .POST("/v2/user-tasks/{userTaskKey}/completion", this::completeUserTask)
        .POST("/v2/messages/publication", this::publishMessage)
        .POST("/v2/process-instances", this::createProcessInstance)
        .POST("/v2/deployments", this::deploy)
        .GET("/v2/topology", request -> ServerResponse.ok().body(topology()))
        .onError(Throwable.class, problems::answer)
        .build();
  }

  private ServerResponse completeJob(ServerRequest http) throws Exception {
    long jobKey = key(http, "jobKey");
    JobCompletionRequest body = optionalBody(http, JobCompletionRequest.class);
    CompleteJobRequest.Builder request = CompleteJobRequest.newBuilder().setJobKey(jobKey);
    if (body != null) {
      request.setVariables(variables(body.getVariables()));
      if (body.getResult() instanceof JobResultUserTask result) {
        request.setResult(userTaskResult(result));
      }
    }
    await(commands.complete(request.build()));
    return ServerResponse.noContent().build();
  }

  private ServerResponse failJob(ServerRequest http) throws Exception {
    long jobKey = key(http, "jobKey");
    JobFailRequest body = optionalBody(http, JobFailRequest.class);
    JobFailRequest fail = body == null ? new JobFailRequest() : body;
    FailJobRequest request =
        FailJobRequest.newBuilder()
            .setJobKey(jobKey)
            .setRetries(Optional.ofNullable(fail.getRetries()).orElse(0))
            .setErrorMessage(Optional.ofNullable(fail.getErrorMessage()).orElse(""))
            .setRetryBackOff(Optional.ofNullable(fail.getRetryBackOff()).orElse(0L))
            .setVariables(variables(fail.getVariables()))
            .build();
    await(commands.call(commands.gateway()::failJob, request));
    return ServerResponse.noContent().build();
  }

  private ServerResponse throwError(ServerRequest http) throws Exception {
    long jobKey = key(http, "jobKey");
    JobErrorRequest body = http.body(JobErrorRequest.class);
    required("errorCode", body.getErrorCode());
    ThrowErrorRequest request =
        ThrowErrorRequest.newBuilder()
            .setJobKey(jobKey)
            .setErrorCode(Optional.ofNullable(body.getErrorCode()).orElse(""))
            .setErrorMessage(Optional.ofNullable(body.getErrorMessage()).orElse(""))
            .setVariables(variables(body.getVariables()))
            .build();
    await(commands.call(commands.gateway()::throwError, request));
    return ServerResponse.noContent().build();
  }

  private ServerResponse assignUserTask(ServerRequest http) throws Exception {
    long userTaskKey = key(http, "userTaskKey");
    Map<String, Object> body = http.body(new ParameterizedTypeReference<Map<String, Object>>() {});
    required("assignee", body.get("assignee") instanceof String assignee ? assignee : null);
    await(
        commands.assignUserTask(
            userTaskKey, (String) body.get("assignee"), (String) body.get("action")));
    return ServerResponse.noContent().build();
  }

  @SuppressWarnings("unchecked")
  private ServerResponse completeUserTask(ServerRequest http) throws Exception {
    long userTaskKey = key(http, "userTaskKey");
    Map<String, Object> body = optionalBody(http, Map.class);
    Map<String, Object> request = body == null ? Map.of() : body;
    await(
        commands.completeUserTask(
            userTaskKey,
            variables((Map<String, Object>) request.get("variables")),
            (String) request.get("action")));
    return ServerResponse.noContent().build();
  }

  private ServerResponse publishMessage(ServerRequest http) throws Exception {
    MessagePublicationRequest body = http.body(MessagePublicationRequest.class);
    required("name", body.getName());
    PublishMessageRequest request =
        PublishMessageRequest.newBuilder()
            .setName(Optional.ofNullable(body.getName()).orElse(""))
            .setCorrelationKey(Optional.ofNullable(body.getCorrelationKey()).orElse(""))
            .setTimeToLive(Optional.ofNullable(body.getTimeToLive()).orElse(0L))
            .setMessageId(Optional.ofNullable(body.getMessageId()).orElse(""))
            .setVariables(variables(body.getVariables()))
            .build();
    GatewayOuterClass.PublishMessageResponse response =
        await(commands.call(commands.gateway()::publishMessage, request));
    return ServerResponse.ok()
        .body(
            new MessagePublicationResult()
                .messageKey(String.valueOf(response.getKey()))
                .tenantId(tenant(response.getTenantId())));
  }

  private ServerResponse createProcessInstance(ServerRequest http) throws Exception {
    ProcessInstanceCreationInstruction body = http.body(ProcessInstanceCreationInstruction.class);
    if (isBlank(body.getProcessDefinitionId()) && isBlank(body.getProcessDefinitionKey())) {
      throw new IllegalArgumentException(
          "At least one of [processDefinitionId, processDefinitionKey] is required.");
    }
    CreateProcessInstanceRequest.Builder instance = CreateProcessInstanceRequest.newBuilder();
    if (body.getProcessDefinitionKey() != null) {
      instance.setProcessDefinitionKey(Long.parseLong(body.getProcessDefinitionKey()));
    } else {
      instance
          .setBpmnProcessId(Optional.ofNullable(body.getProcessDefinitionId()).orElse(""))
          .setVersion(Optional.ofNullable(body.getProcessDefinitionVersion()).orElse(-1));
    }
    instance.setVariables(variables(body.getVariables()));
    Optional.ofNullable(body.getStartInstructions())
        .orElse(List.of())
        .forEach(
            start ->
                instance.addStartInstructions(
                    GatewayOuterClass.ProcessInstanceCreationStartInstruction.newBuilder()
                        .setElementId(start.getElementId())));
    if (!Boolean.TRUE.equals(body.getAwaitCompletion())) {
      GatewayOuterClass.CreateProcessInstanceResponse created =
          await(commands.call(commands.gateway()::createProcessInstance, instance.build()));
      return ServerResponse.ok()
          .body(
              new CreateProcessInstanceResult()
                  .processDefinitionId(created.getBpmnProcessId())
                  .processDefinitionVersion(created.getVersion())
                  .processDefinitionKey(String.valueOf(created.getProcessDefinitionKey()))
                  .processInstanceKey(String.valueOf(created.getProcessInstanceKey()))
                  .tenantId(tenant(created.getTenantId()))
                  .variables(Map.of()));
    }
    CreateProcessInstanceWithResultRequest request =
        CreateProcessInstanceWithResultRequest.newBuilder()
            .setRequest(instance)
            .setRequestTimeout(Optional.ofNullable(body.getRequestTimeout()).orElse(0L))
            .addAllFetchVariables(Optional.ofNullable(body.getFetchVariables()).orElse(List.of()))
            .build();
    // Waits as long as the request asks; the engine has no request timeout of its own.
    GatewayOuterClass.CreateProcessInstanceWithResultResponse completed =
        await(
            commands.call(commands.gateway()::createProcessInstanceWithResult, request),
            request.getRequestTimeout() > 0
                ? TimeUnit.MILLISECONDS.toSeconds(request.getRequestTimeout()) + 1
                : ANSWER_TIMEOUT_SECONDS);
    return ServerResponse.ok()
        .body(
            new CreateProcessInstanceResult()
                .processDefinitionId(completed.getBpmnProcessId())
                .processDefinitionVersion(completed.getVersion())
                .processDefinitionKey(String.valueOf(completed.getProcessDefinitionKey()))
                .processInstanceKey(String.valueOf(completed.getProcessInstanceKey()))
                .tenantId(tenant(completed.getTenantId()))
                .variables(map(completed.getVariables())));
  }

  private ServerResponse deploy(ServerRequest http) throws Exception {
    List<Part> resources = http.multipartData().getOrDefault("resources", List.of());
    if (resources.isEmpty()) {
      throw new IllegalArgumentException(
          "No resources given: send them as multipart parts named 'resources'");
    }
    DeployResourceRequest.Builder request = DeployResourceRequest.newBuilder();
    for (Part resource : resources) {
      try (InputStream content = resource.getInputStream()) {
        request.addResources(
            Resource.newBuilder()
                .setName(
                    Optional.ofNullable(resource.getSubmittedFileName()).orElse(resource.getName()))
                .setContent(ByteString.readFrom(content)));
      }
    }
    GatewayOuterClass.DeployResourceResponse deployed =
        await(commands.call(commands.gateway()::deployResource, request.build()));
    List<DeploymentMetadataResult> deployments =
        deployed.getDeploymentsList().stream().map(CamundaRestApi::deployment).toList();
    return ServerResponse.ok()
        .body(
            new DeploymentResult()
                .deploymentKey(String.valueOf(deployed.getKey()))
                .tenantId(tenant(deployed.getTenantId()))
                .deployments(deployments));
  }

  private TopologyResponse topology() {
    GatewayOuterClass.TopologyResponse topology =
        version.apply(
            await(
                commands.call(commands.gateway()::topology, TopologyRequest.getDefaultInstance())));
    return new TopologyResponse()
        .clusterSize(topology.getClusterSize())
        .partitionsCount(topology.getPartitionsCount())
        .replicationFactor(topology.getReplicationFactor())
        .gatewayVersion(topology.getGatewayVersion())
        .brokers(
            topology.getBrokersList().stream()
                .map(
                    broker ->
                        new BrokerInfo()
                            .nodeId(broker.getNodeId())
                            .host("127.0.0.1")
                            .port(broker.getPort())
                            .version(broker.getVersion())
                            .partitions(
                                broker.getPartitionsList().stream()
                                    .map(
                                        partition ->
                                            new Partition()
                                                .partitionId(partition.getPartitionId())
                                                .role(
                                                    Partition.RoleEnum.fromValue(
                                                        partition.getRole().name().toLowerCase()))
                                                .health(
                                                    Partition.HealthEnum.fromValue(
                                                        partition
                                                            .getHealth()
                                                            .name()
                                                            .toLowerCase())))
                                    .toList()))
                .toList());
  }

  private static DeploymentMetadataResult deployment(GatewayOuterClass.Deployment deployment) {
    return switch (deployment.getMetadataCase()) {
      case PROCESS -> {
        GatewayOuterClass.ProcessMetadata process = deployment.getProcess();
        yield new DeploymentMetadataResult()
            .processDefinition(
                new DeploymentProcessResult()
                    .processDefinitionId(process.getBpmnProcessId())
                    .processDefinitionVersion(process.getVersion())
                    .processDefinitionKey(String.valueOf(process.getProcessDefinitionKey()))
                    .resourceName(process.getResourceName())
                    .tenantId(tenant(process.getTenantId())));
      }
      case FORM -> {
        GatewayOuterClass.FormMetadata form = deployment.getForm();
        yield new DeploymentMetadataResult()
            .form(
                new DeploymentFormResult()
                    .formId(form.getFormId())
                    .version(form.getVersion())
                    .formKey(String.valueOf(form.getFormKey()))
                    .resourceName(form.getResourceName())
                    .tenantId(tenant(form.getTenantId())));
      }
      default -> new DeploymentMetadataResult();
    };
  }

  private static GatewayOuterClass.JobResult userTaskResult(JobResultUserTask result) {
    GatewayOuterClass.JobResult.Builder mapped =
        GatewayOuterClass.JobResult.newBuilder()
            .setType("userTask")
            .setDenied(Boolean.TRUE.equals(result.getDenied()))
            .setDeniedReason(Optional.ofNullable(result.getDeniedReason()).orElse(""));
    JobResultCorrections corrections = result.getCorrections();
    if (corrections != null) {
      GatewayOuterClass.JobResultCorrections.Builder builder =
          GatewayOuterClass.JobResultCorrections.newBuilder();
      Optional.ofNullable(corrections.getAssignee()).ifPresent(builder::setAssignee);
      Optional.ofNullable(corrections.getDueDate()).ifPresent(builder::setDueDate);
      Optional.ofNullable(corrections.getFollowUpDate()).ifPresent(builder::setFollowUpDate);
      Optional.ofNullable(corrections.getCandidateUsers())
          .ifPresent(
              users -> builder.setCandidateUsers(StringList.newBuilder().addAllValues(users)));
      Optional.ofNullable(corrections.getCandidateGroups())
          .ifPresent(
              groups -> builder.setCandidateGroups(StringList.newBuilder().addAllValues(groups)));
      Optional.ofNullable(corrections.getPriority()).ifPresent(builder::setPriority);
      mapped.setCorrections(builder);
    }
    return mapped.build();
  }

  private String variables(Map<String, Object> variables) {
    if (variables == null || variables.isEmpty()) {
      return "";
    }
    try {
      return json.writeValueAsString(variables);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("The variables cannot be written as JSON", e);
    }
  }

  private Map<String, Object> map(String variables) {
    if (variables.isEmpty()) {
      return Map.of();
    }
    try {
      return json.readerForMapOf(Object.class).readValue(variables);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("The engine answered variables that are not JSON", e);
    }
  }

  /** The gateway's own check, before anything reaches the engine: "No errorCode provided." */
  private static void required(String name, String value) {
    if (isBlank(value)) {
      throw new IllegalArgumentException("No %s provided.".formatted(name));
    }
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }

  private static long key(ServerRequest request, String name) {
    String value = request.pathVariable(name);
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "'%s' must be a number, not '%s'".formatted(name, value), e);
    }
  }

  /** The body, or null when the request has none (the gateway accepts an empty body there). */
  private static <T> T optionalBody(ServerRequest request, Class<T> type) throws Exception {
    if (request.headers().contentLength().orElse(-1) == 0) {
      return null;
    }
    return request.body(type);
  }

  private static String tenant(String tenantId) {
    return tenantId == null || tenantId.isEmpty() ? DEFAULT_TENANT : tenantId;
  }

  private static <T> T await(CompletableFuture<T> answer) {
    return await(answer, ANSWER_TIMEOUT_SECONDS);
  }

  private static <T> T await(CompletableFuture<T> answer, long timeoutSeconds) {
    try {
      return answer.get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new CompletionException(e.getCause());
    } catch (TimeoutException e) {
      throw new GatewayProblems.Timeout(timeoutSeconds);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the engine", e);
    }
  }
}
