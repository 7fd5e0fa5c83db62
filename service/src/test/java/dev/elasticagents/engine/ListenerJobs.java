package dev.elasticagents.engine;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.ActivateJobsResponse;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.ActivatedJob;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.UserTaskProperties;
import io.camunda.zeebe.protocol.Protocol;
import io.camunda.zeebe.protocol.record.Record;
import io.camunda.zeebe.protocol.record.ValueType;
import io.camunda.zeebe.protocol.record.intent.JobIntent;
import io.camunda.zeebe.protocol.record.value.JobKind;
import io.camunda.zeebe.protocol.record.value.JobRecordValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives activated jobs what an 8.8 gateway gives them and the in-process gateway leaves at its
 * protobuf defaults: the job's kind, its listener event type and, for a user task listener, the
 * user task. Read from the engine's own job records, which carry all three.
 *
 * <p>Only listener jobs are looked up: their reserved headers name a user task, every other job
 * passes unchanged. The records are read once each, as they are appended.
 */
final class ListenerJobs {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RecordLog records;
  // Guarded by this: the listener jobs seen so far, and how far the records were read.
  private final Map<Long, JobRecordValue> listenerJobs = new HashMap<>();
  private int recordsRead;

  ListenerJobs(RecordLog records) {
    this.records = records;
  }

  /** The response, each of its jobs completed as an 8.8 gateway would send it. */
  Object complete(Object message) {
    return switch (message) {
      case ActivateJobsResponse response -> {
        if (response.getJobsList().stream().noneMatch(ListenerJobs::namesUserTask)) {
          yield response;
        }
        yield response.toBuilder()
            .clearJobs()
            .addAllJobs(response.getJobsList().stream().map(this::complete).toList())
            .build();
      }
      case ActivatedJob job -> complete(job);
      default -> message;
    };
  }

  private ActivatedJob complete(ActivatedJob job) {
    if (!namesUserTask(job)) {
      return job;
    }
    JobRecordValue record = listenerJob(job.getKey());
    if (record == null) {
      return job;
    }
    ActivatedJob.Builder builder =
        job.toBuilder()
            .setKind(ActivatedJob.JobKind.valueOf(record.getJobKind().name()))
            .setListenerEventType(
                ActivatedJob.ListenerEventType.valueOf(record.getJobListenerEventType().name()));
    if (record.getJobKind() == JobKind.TASK_LISTENER) {
      builder.setUserTask(userTask(record.getCustomHeaders()));
    }
    return builder.build();
  }

  private static boolean namesUserTask(ActivatedJob job) {
    return job.getCustomHeaders().contains(Protocol.USER_TASK_KEY_HEADER_NAME);
  }

  private synchronized JobRecordValue listenerJob(long key) {
    List<Record<?>> unread = records.since(recordsRead);
    recordsRead += unread.size();
    for (Record<?> record : unread) {
      if (record.getValueType() == ValueType.JOB
          && record.getIntent() == JobIntent.CREATED
          && record.getValue() instanceof JobRecordValue job
          && job.getJobKind() != JobKind.BPMN_ELEMENT) {
        listenerJobs.put(record.getKey(), job);
      }
    }
    return listenerJobs.get(key);
  }

  /** The user task of a listener job, read from its reserved headers as the 8.8 gateway does. */
  private static UserTaskProperties userTask(Map<String, String> headers) {
    UserTaskProperties.Builder task = UserTaskProperties.newBuilder();
    headers.forEach(
        (name, value) -> {
          switch (name) {
            case Protocol.USER_TASK_ACTION_HEADER_NAME -> task.setAction(value);
            case Protocol.USER_TASK_ASSIGNEE_HEADER_NAME -> task.setAssignee(value);
            case Protocol.USER_TASK_CANDIDATE_GROUPS_HEADER_NAME ->
                task.addAllCandidateGroups(list(value));
            case Protocol.USER_TASK_CANDIDATE_USERS_HEADER_NAME ->
                task.addAllCandidateUsers(list(value));
            case Protocol.USER_TASK_CHANGED_ATTRIBUTES_HEADER_NAME ->
                task.addAllChangedAttributes(list(value));
            case Protocol.USER_TASK_DUE_DATE_HEADER_NAME -> task.setDueDate(value);
            case Protocol.USER_TASK_FOLLOW_UP_DATE_HEADER_NAME -> task.setFollowUpDate(value);
            case Protocol.USER_TASK_PRIORITY_HEADER_NAME ->
                task.setPriority(Integer.parseInt(value));
            case Protocol.USER_TASK_KEY_HEADER_NAME -> task.setUserTaskKey(Long.parseLong(value));
            default -> {
              // Not a user task header.
            }
          }
        });
    return task.build();
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
}
