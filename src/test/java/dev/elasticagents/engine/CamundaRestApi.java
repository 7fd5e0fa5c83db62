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
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * The part of the Camunda 8.8 REST API that the service and a developer use, in front of the
 * embedded engine. Bodies are the 8.8 specification's, read and written with the models that the
 * Camunda Java client generates from it; each request becomes the gateway command the real
 * gateway sends, and each engine rejection the problem the real gateway answers ({@link
 * GatewayProblems}).
 */
@ConditionalOnProperty(name = RestFront.OWN_CONTEXT, havingValue = "true")
@RestController
class CamundaRestApi {

  private static final String DEFAULT_TENANT = "<default>";
  // A request the engine never answers (a lost command) must not hold a request thread forever.
  private static final long ANSWER_TIMEOUT_SECONDS = 60;

  private final EngineCommands commands;
  private final ObjectMapper json;

  CamundaRestApi(EngineCommands commands, ObjectMapper json) {
    this.commands = commands;
    this.json = json;
  }

  @PostMapping("/v2/jobs/{jobKey}/completion")
  ResponseEntity<Void> completeJob(
      @PathVariable long jobKey, @RequestBody(required = false) JobCompletionRequest body) {
    CompleteJobRequest.Builder request = CompleteJobRequest.newBuilder().setJobKey(jobKey);
    if (body != null) {
      request.setVariables(variables(body.getVariables()));
      if (body.getResult() instanceof JobResultUserTask result) {
        request.setResult(userTaskResult(result));
      }
    }
    await(commands.complete(request.build()));
    return ResponseEntity.noContent().build();
  }

  @PostMapping("/v2/jobs/{jobKey}/failure")
  ResponseEntity<Void> failJob(
      @PathVariable long jobKey, @RequestBody(required = false) JobFailRequest body) {
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
    return ResponseEntity.noContent().build();
  }

  @PostMapping("/v2/jobs/{jobKey}/error")
  ResponseEntity<Void> throwError(@PathVariable long jobKey, @RequestBody JobErrorRequest body) {
    ThrowErrorRequest request =
        ThrowErrorRequest.newBuilder()
            .setJobKey(jobKey)
            .setErrorCode(Optional.ofNullable(body.getErrorCode()).orElse(""))
            .setErrorMessage(Optional.ofNullable(body.getErrorMessage()).orElse(""))
            .setVariables(variables(body.getVariables()))
            .build();
    await(commands.call(commands.gateway()::throwError, request));
    return ResponseEntity.noContent().build();
  }

  @PostMapping("/v2/user-tasks/{userTaskKey}/assignment")
  ResponseEntity<Void> assignUserTask(
      @PathVariable long userTaskKey, @RequestBody Map<String, Object> body) {
    await(
        commands.assignUserTask(
            userTaskKey, (String) body.get("assignee"), (String) body.get("action")));
    return ResponseEntity.noContent().build();
  }

  @SuppressWarnings("unchecked")
  @PostMapping("/v2/user-tasks/{userTaskKey}/completion")
  ResponseEntity<Void> completeUserTask(
      @PathVariable long userTaskKey, @RequestBody(required = false) Map<String, Object> body) {
    Map<String, Object> request = body == null ? Map.of() : body;
    await(
        commands.completeUserTask(
            userTaskKey,
            variables((Map<String, Object>) request.get("variables")),
            (String) request.get("action")));
    return ResponseEntity.noContent().build();
  }

  @PostMapping("/v2/messages/publication")
  MessagePublicationResult publishMessage(@RequestBody MessagePublicationRequest body) {
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
    return new MessagePublicationResult()
        .messageKey(String.valueOf(response.getKey()))
        .tenantId(tenant(response.getTenantId()));
  }

  @PostMapping("/v2/process-instances")
  CreateProcessInstanceResult createProcessInstance(
      @RequestBody ProcessInstanceCreationInstruction body) {
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
      return new CreateProcessInstanceResult()
          .processDefinitionId(created.getBpmnProcessId())
          .processDefinitionVersion(created.getVersion())
          .processDefinitionKey(String.valueOf(created.getProcessDefinitionKey()))
          .processInstanceKey(String.valueOf(created.getProcessInstanceKey()))
          .tenantId(tenant(created.getTenantId()))
          .variables(Map.of());
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
    return new CreateProcessInstanceResult()
        .processDefinitionId(completed.getBpmnProcessId())
        .processDefinitionVersion(completed.getVersion())
        .processDefinitionKey(String.valueOf(completed.getProcessDefinitionKey()))
        .processInstanceKey(String.valueOf(completed.getProcessInstanceKey()))
        .tenantId(tenant(completed.getTenantId()))
        .variables(map(completed.getVariables()));
  }

  @PostMapping(value = "/v2/deployments", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  DeploymentResult deploy(@RequestPart("resources") List<MultipartFile> resources)
      throws IOException {
    DeployResourceRequest.Builder request = DeployResourceRequest.newBuilder();
    for (MultipartFile resource : resources) {
      request.addResources(
          Resource.newBuilder()
              .setName(Optional.ofNullable(resource.getOriginalFilename()).orElse(resource.getName()))
              .setContent(ByteString.copyFrom(resource.getBytes())));
    }
    GatewayOuterClass.DeployResourceResponse deployed =
        await(commands.call(commands.gateway()::deployResource, request.build()));
    List<DeploymentMetadataResult> deployments =
        deployed.getDeploymentsList().stream().map(CamundaRestApi::deployment).toList();
    return new DeploymentResult()
        .deploymentKey(String.valueOf(deployed.getKey()))
        .tenantId(tenant(deployed.getTenantId()))
        .deployments(deployments);
  }

  @GetMapping("/v2/topology")
  TopologyResponse topology() {
    GatewayOuterClass.TopologyResponse topology =
        await(commands.call(commands.gateway()::topology, TopologyRequest.getDefaultInstance()));
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
                                                .role(Partition.RoleEnum.fromValue(partition.getRole().name().toLowerCase()))
                                                .health(Partition.HealthEnum.fromValue(partition.getHealth().name().toLowerCase())))
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
          .ifPresent(users -> builder.setCandidateUsers(StringList.newBuilder().addAllValues(users)));
      Optional.ofNullable(corrections.getCandidateGroups())
          .ifPresent(groups -> builder.setCandidateGroups(StringList.newBuilder().addAllValues(groups)));
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
