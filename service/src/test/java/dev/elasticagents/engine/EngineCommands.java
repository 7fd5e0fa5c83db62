package dev.elasticagents.engine;

import io.camunda.zeebe.gateway.protocol.GatewayGrpc;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.CompleteJobRequest;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.CompleteJobResponse;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.JobResultCorrections;
import io.camunda.zeebe.protocol.impl.encoding.MsgPackConverter;
import io.camunda.zeebe.protocol.impl.record.UnifiedRecordValue;
import io.camunda.zeebe.protocol.impl.record.value.job.JobRecord;
import io.camunda.zeebe.protocol.impl.record.value.job.JobResult;
import io.camunda.zeebe.protocol.impl.record.value.usertask.UserTaskRecord;
import io.camunda.zeebe.protocol.record.ValueType;
import io.camunda.zeebe.protocol.record.intent.JobIntent;
import io.camunda.zeebe.protocol.record.intent.UserTaskIntent;
import io.camunda.zeebe.protocol.record.value.JobResultType;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Commands to the engine, answered by the engine: the gateway's own requests in process, and the
 * commands an 8.8 gateway writes that the in-process gateway does not (a job completion with a
 * result, user task assignment and completion).
 */
final class EngineCommands {

  private final EngineInternals engine;

  EngineCommands(EngineInternals engine) {
    this.engine = engine;
  }

  /** Calls one of the gateway's unary methods in process. */
  <Q, R> CompletableFuture<R> call(BiConsumer<Q, StreamObserver<R>> method, Q request) {
    CompletableFuture<R> response = new CompletableFuture<>();
    try {
      method.accept(request, Observers.completing(response));
    } catch (RuntimeException e) {
      response.completeExceptionally(e);
    }
    return response;
  }

  GatewayGrpc.GatewayImplBase gateway() {
    return engine.gateway();
  }

  /** Completes a job with its variables and, for a listener job, its result. */
  CompletableFuture<CompleteJobResponse> complete(CompleteJobRequest request) {
    JobRecord job = new JobRecord();
    if (!request.getVariables().isEmpty()) {
      job.setVariables(msgPack(request.getVariables()));
    }
    if (request.hasResult()) {
      job.setResult(result(request.getResult()));
    }
    return engine.submit(
        request.getJobKey(), ValueType.JOB, JobIntent.COMPLETE, job, CompleteJobRequest.class);
  }

  /** Assigns a user task, as {@code POST /v2/user-tasks/{key}/assignment} does. */
  CompletableFuture<Void> assignUserTask(long userTaskKey, String assignee, String action) {
    return userTaskCommand(
        userTaskKey,
        UserTaskIntent.ASSIGN,
        new UserTaskRecord()
            .setUserTaskKey(userTaskKey)
            .setAssignee(assignee)
            .setAction(action == null ? "assign" : action));
  }

  /** Completes a user task, as {@code POST /v2/user-tasks/{key}/completion} does. */
  CompletableFuture<Void> completeUserTask(long userTaskKey, String variables, String action) {
    UserTaskRecord task =
        new UserTaskRecord()
            .setUserTaskKey(userTaskKey)
            .setAction(action == null ? "complete" : action);
    if (!variables.isEmpty()) {
      task.setVariables(msgPack(variables));
    }
    return userTaskCommand(userTaskKey, UserTaskIntent.COMPLETE, task);
  }

  private CompletableFuture<Void> userTaskCommand(
      long userTaskKey, UserTaskIntent intent, UnifiedRecordValue task) {
    // Answered as a job completion is: an empty acknowledgement, or the rejection.
    return engine
        .<CompleteJobResponse>submit(
            userTaskKey, ValueType.USER_TASK, intent, task, CompleteJobRequest.class)
        .thenApply(response -> null);
  }

  /** A user task result, each correction marked as corrected as the 8.8 gateway marks it. */
  private static JobResult result(
      io.camunda.zeebe.gateway.protocol.GatewayOuterClass.JobResult result) {
    JobResult mapped =
        new JobResult()
            .setType(JobResultType.from(result.hasType() ? result.getType() : "userTask"))
            .setDenied(result.getDenied())
            .setDeniedReason(result.getDeniedReason());
    if (!result.hasCorrections()) {
      return mapped;
    }
    JobResultCorrections corrections = result.getCorrections();
    var engineCorrections =
        new io.camunda.zeebe.protocol.impl.record.value.job.JobResultCorrections();
    List<String> corrected = new ArrayList<>();
    if (corrections.hasAssignee()) {
      engineCorrections.setAssignee(corrections.getAssignee());
      corrected.add(UserTaskRecord.ASSIGNEE);
    }
    if (corrections.hasDueDate()) {
      engineCorrections.setDueDate(corrections.getDueDate());
      corrected.add(UserTaskRecord.DUE_DATE);
    }
    if (corrections.hasFollowUpDate()) {
      engineCorrections.setFollowUpDate(corrections.getFollowUpDate());
      corrected.add(UserTaskRecord.FOLLOW_UP_DATE);
    }
    if (corrections.hasCandidateUsers()) {
      engineCorrections.setCandidateUsersList(corrections.getCandidateUsers().getValuesList());
      corrected.add(UserTaskRecord.CANDIDATE_USERS);
    }
    if (corrections.hasCandidateGroups()) {
      engineCorrections.setCandidateGroupsList(corrections.getCandidateGroups().getValuesList());
      corrected.add(UserTaskRecord.CANDIDATE_GROUPS);
    }
    if (corrections.hasPriority()) {
      engineCorrections.setPriority(corrections.getPriority());
      corrected.add(UserTaskRecord.PRIORITY);
    }
    return mapped.setCorrections(engineCorrections).setCorrectedAttributes(corrected);
  }

  private static UnsafeBuffer msgPack(String json) {
    return new UnsafeBuffer(MsgPackConverter.convertToMsgPack(json));
  }
}
