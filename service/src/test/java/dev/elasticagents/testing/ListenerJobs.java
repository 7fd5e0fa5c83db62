package dev.elasticagents.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.elasticagents.approval.ApproveAgentRequestHandler;
import io.camunda.client.api.response.ActivatedJob;
import io.camunda.client.impl.CamundaObjectMapper;
import io.camunda.client.impl.response.ActivatedJobImpl;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.ActivatedJob.JobKind;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.ActivatedJob.ListenerEventType;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.UserTaskProperties;
import java.util.List;
import java.util.Map;

/** Activated listener jobs as the client reads them from an 8.8 gateway's gRPC answer. */
public final class ListenerJobs {

  public static final long JOB_KEY = 2251799813685310L;
  public static final long USER_TASK_KEY = 2251799813685308L;

  private ListenerJobs() {}

  /** The job of the assigning listener while {@code assignee} is being assigned. */
  public static ActivatedJob assigning(
      String assignee, List<String> candidateGroups, Map<String, Object> variables) {
    return job(
        ListenerEventType.ASSIGNING,
        UserTaskProperties.newBuilder()
            .setUserTaskKey(USER_TASK_KEY)
            .setAssignee(assignee)
            .addAllCandidateGroups(candidateGroups)
            .addChangedAttributes("assignee")
            .setPriority(50),
        variables);
  }

  /** The job of the completing listener of a task assigned to {@code assignee}. */
  public static ActivatedJob completing(String assignee, Map<String, Object> variables) {
    return job(
        ListenerEventType.COMPLETING,
        UserTaskProperties.newBuilder()
            .setUserTaskKey(USER_TASK_KEY)
            .setAssignee(assignee)
            .addCandidateGroups("production-approvers")
            .setAction("complete")
            .setPriority(80),
        variables);
  }

  /** A job of a service task, not of a listener. */
  public static ActivatedJob serviceTask(Map<String, Object> variables) {
    return new ActivatedJobImpl(new CamundaObjectMapper(), base(variables).build());
  }

  private static ActivatedJob job(
      ListenerEventType event, UserTaskProperties.Builder userTask, Map<String, Object> variables) {
    return new ActivatedJobImpl(
        new CamundaObjectMapper(),
        base(variables)
            .setKind(JobKind.TASK_LISTENER)
            .setListenerEventType(event)
            .setUserTask(userTask)
            .build());
  }

  private static GatewayOuterClass.ActivatedJob.Builder base(Map<String, Object> variables) {
    try {
      return GatewayOuterClass.ActivatedJob.newBuilder()
          .setKey(JOB_KEY)
          .setType(ApproveAgentRequestHandler.JOB_TYPE)
          .setBpmnProcessId("elastic-agent-approval")
          .setElementId("Task_ApproveRequest")
          .setRetries(3)
          .setDeadline(System.currentTimeMillis() + 300_000)
          .setCustomHeaders("{}")
          .setVariables(new ObjectMapper().writeValueAsString(variables));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
