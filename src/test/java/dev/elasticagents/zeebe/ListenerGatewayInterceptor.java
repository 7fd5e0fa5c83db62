package dev.elasticagents.zeebe;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camunda.zeebe.gateway.protocol.GatewayGrpc;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.ActivateJobsResponse;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.ActivatedJob;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.CompleteJobRequest;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.CompleteJobResponse;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.JobResultCorrections;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.UserTaskProperties;
import io.camunda.zeebe.process.test.api.ZeebeTestEngine;
import io.camunda.zeebe.process.test.filters.RecordStream;
import io.camunda.zeebe.protocol.Protocol;
import io.camunda.zeebe.protocol.impl.encoding.MsgPackConverter;
import io.camunda.zeebe.protocol.impl.record.value.job.JobRecord;
import io.camunda.zeebe.protocol.impl.record.value.job.JobResult;
import io.camunda.zeebe.protocol.impl.record.value.usertask.UserTaskRecord;
import io.camunda.zeebe.protocol.record.Record;
import io.camunda.zeebe.protocol.record.ValueType;
import io.camunda.zeebe.protocol.record.intent.JobIntent;
import io.camunda.zeebe.protocol.record.value.JobKind;
import io.camunda.zeebe.protocol.record.value.JobRecordValue;
import io.camunda.zeebe.protocol.record.value.JobResultType;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.StreamSupport;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Gives a client of the zeebe-process-test 8.8 engine what an 8.8 gateway gives it for user task
 * listeners, where the in-process gateway falls short:
 *
 * <ul>
 *   <li>activated jobs carry their kind, listener event type and user task (the in-process
 *       gateway leaves them at their protobuf defaults: every job looks like a BPMN element job
 *       of an {@code ASSIGNING} listener, with no user task);
 *   <li>a job completion carries its result: deny, denied reason and corrections (the
 *       in-process gateway drops the result, so every listener job would approve).
 * </ul>
 *
 * Both are mapped as the 8.8 gateway maps them; a completion is written to the engine's log
 * directly and answered at once, so the engine's rejections show in its records only.
 */
final class ListenerGatewayInterceptor implements ClientInterceptor {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ZeebeTestEngine engine;
  private final EngineCommandLog log;

  ListenerGatewayInterceptor(ZeebeTestEngine engine, EngineCommandLog log) {
    this.engine = engine;
    this.log = log;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
    String name = method.getFullMethodName();
    if (name.equals(GatewayGrpc.getCompleteJobMethod().getFullMethodName())) {
      return new AnsweredCall<>(request -> (RespT) complete((CompleteJobRequest) request));
    }
    ClientCall<ReqT, RespT> call = next.newCall(method, options);
    if (name.equals(GatewayGrpc.getActivateJobsMethod().getFullMethodName())
        || name.equals(GatewayGrpc.getStreamActivatedJobsMethod().getFullMethodName())) {
      return new SimpleForwardingClientCall<>(call) {
        @Override
        public void start(Listener<RespT> listener, Metadata headers) {
          super.start(
              new SimpleForwardingClientCallListener<>(listener) {
                @Override
                public void onMessage(RespT message) {
                  super.onMessage((RespT) complete(message));
                }
              },
              headers);
        }
      };
    }
    return call;
  }

  private Object complete(Object message) {
    return switch (message) {
      case ActivateJobsResponse response ->
          response.toBuilder()
              .clearJobs()
              .addAllJobs(response.getJobsList().stream().map(this::complete).toList())
              .build();
      case ActivatedJob job -> complete(job);
      default -> message;
    };
  }

  private ActivatedJob complete(ActivatedJob job) {
    Optional<JobRecordValue> created =
        StreamSupport.stream(RecordStream.of(engine.getRecordStreamSource()).jobRecords().spliterator(), false)
            .filter(record -> record.getKey() == job.getKey() && record.getIntent() == JobIntent.CREATED)
            .map(Record::getValue)
            .findFirst();
    if (created.isEmpty()) {
      return job;
    }
    JobRecordValue record = created.get();
    ActivatedJob.Builder builder =
        job.toBuilder()
            .setKind(ActivatedJob.JobKind.valueOf(record.getJobKind().name()))
            .setListenerEventType(
                ActivatedJob.ListenerEventType.valueOf(record.getJobListenerEventType().name()));
    if (record.getJobKind() == JobKind.TASK_LISTENER && !record.getCustomHeaders().isEmpty()) {
      builder.setUserTask(userTask(record.getCustomHeaders()));
    }
    return builder.build();
  }

  /** The user task of a listener job, read from its reserved headers as the 8.8 gateway does. */
  private static UserTaskProperties userTask(Map<String, String> headers) {
    UserTaskProperties.Builder task = UserTaskProperties.newBuilder();
    headers.forEach(
        (name, value) -> {
          switch (name) {
            case Protocol.USER_TASK_ACTION_HEADER_NAME -> task.setAction(value);
            case Protocol.USER_TASK_ASSIGNEE_HEADER_NAME -> task.setAssignee(value);
            case Protocol.USER_TASK_CANDIDATE_GROUPS_HEADER_NAME -> task.addAllCandidateGroups(list(value));
            case Protocol.USER_TASK_CANDIDATE_USERS_HEADER_NAME -> task.addAllCandidateUsers(list(value));
            case Protocol.USER_TASK_CHANGED_ATTRIBUTES_HEADER_NAME -> task.addAllChangedAttributes(list(value));
            case Protocol.USER_TASK_DUE_DATE_HEADER_NAME -> task.setDueDate(value);
            case Protocol.USER_TASK_FOLLOW_UP_DATE_HEADER_NAME -> task.setFollowUpDate(value);
            case Protocol.USER_TASK_PRIORITY_HEADER_NAME -> task.setPriority(Integer.parseInt(value));
            case Protocol.USER_TASK_KEY_HEADER_NAME -> task.setUserTaskKey(Long.parseLong(value));
            default -> {
              // Not a user task header.
            }
          }
        });
    return task.build();
  }

  private CompleteJobResponse complete(CompleteJobRequest request) {
    JobRecord job = new JobRecord();
    if (!request.getVariables().isEmpty()) {
      job.setVariables(new UnsafeBuffer(MsgPackConverter.convertToMsgPack(request.getVariables())));
    }
    if (request.hasResult()) {
      job.setResult(result(request.getResult()));
    }
    log.write(request.getJobKey(), ValueType.JOB, JobIntent.COMPLETE, job);
    return CompleteJobResponse.getDefaultInstance();
  }

  /** A user task result, each correction marked as corrected as the 8.8 gateway marks it. */
  private static JobResult result(io.camunda.zeebe.gateway.protocol.GatewayOuterClass.JobResult result) {
    JobResult mapped =
        new JobResult()
            .setType(JobResultType.from(result.hasType() ? result.getType() : "userTask"))
            .setDenied(result.getDenied())
            .setDeniedReason(result.getDeniedReason());
    if (!result.hasCorrections()) {
      return mapped;
    }
    JobResultCorrections corrections = result.getCorrections();
    var engineCorrections = new io.camunda.zeebe.protocol.impl.record.value.job.JobResultCorrections();
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

  private static List<String> list(String json) {
    if (json.isEmpty()) {
      return List.of();
    }
    try {
      return JSON.readValue(json, new TypeReference<>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("A user task header is not a JSON list", e);
    }
  }

  /** A unary call answered here, without reaching the in-process gateway. */
  private static final class AnsweredCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {

    private final Function<ReqT, RespT> answer;
    private Listener<RespT> listener;
    private ReqT request;

    AnsweredCall(Function<ReqT, RespT> answer) {
      this.answer = answer;
    }

    @Override
    public void start(Listener<RespT> listener, Metadata headers) {
      this.listener = listener;
    }

    @Override
    public void request(int numMessages) {}

    @Override
    public void cancel(String message, Throwable cause) {}

    @Override
    public void sendMessage(ReqT message) {
      request = message;
    }

    @Override
    public void halfClose() {
      RespT response;
      try {
        response = answer.apply(request);
      } catch (RuntimeException e) {
        listener.onClose(Status.INTERNAL.withDescription(e.getMessage()).withCause(e), new Metadata());
        return;
      }
      listener.onHeaders(new Metadata());
      listener.onMessage(response);
      listener.onClose(Status.OK, new Metadata());
    }
  }
}
