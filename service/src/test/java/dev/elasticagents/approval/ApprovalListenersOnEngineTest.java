package dev.elasticagents.approval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.engine.EmbeddedEngine;
import dev.elasticagents.gocd.testing.GoCdBody;
import dev.elasticagents.runtime.GrpcCommands;
import dev.elasticagents.runtime.JobOutcome;
import dev.elasticagents.runtime.RestCommands;
import dev.elasticagents.testing.ApprovalPolicies;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.response.ActivatedJob;
import io.camunda.client.api.search.enums.JobKind;
import io.camunda.client.api.search.enums.ListenerEventType;
import io.camunda.zeebe.protocol.impl.record.value.usertask.UserTaskRecord;
import io.camunda.zeebe.protocol.record.Record;
import io.camunda.zeebe.protocol.record.RecordType;
import io.camunda.zeebe.protocol.record.ValueType;
import io.camunda.zeebe.protocol.record.intent.ProcessInstanceIntent;
import io.camunda.zeebe.protocol.record.intent.UserTaskIntent;
import io.camunda.zeebe.protocol.record.value.BpmnElementType;
import io.camunda.zeebe.protocol.record.value.UserTaskRecordValue;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The approval model on the Camunda 8.8 engine (the embedded engine, one per test): its task
 * listeners are answered by the handler's own decisions, sent by the runtime's own commands over
 * gRPC, and the engine's records show what each decision did to the task.
 */
class ApprovalListenersOnEngineTest {

  private static final String PROCESS = "elastic-agent-approval";
  private static final Instant NOW = Instant.parse("2026-11-23T09:15:30Z");

  private EmbeddedEngine cluster;
  private CamundaClient client;
  private RestCommands commands;
  private final AtomicInteger runningAgents = new AtomicInteger();
  private final List<Grant> grants = new java.util.concurrent.CopyOnWriteArrayList<>();

  private record Grant(String approvalId, ApprovalRequest request, int maxRunningAgents) {}

  private ApproveAgentRequestHandler handler;

  @BeforeEach
  void deployTheApprovalModel() throws IOException {
    cluster = EmbeddedEngine.start();
    client = cluster.newClient();
    commands = GrpcCommands.over(client);
    handler =
        new ApproveAgentRequestHandler(
            new ApprovalPolicy(ApprovalPolicies.bind(ApprovalPolicies.PRODUCTION_AND_DEFAULTS)),
            profile -> runningAgents.get(),
            (approval, request, limit) -> grants.add(new Grant(approval, request, limit)),
            Clock.fixed(NOW, ZoneOffset.UTC));
    // The task links the form; the lifecycle model is deployed too, to show nothing starts it.
    try (InputStream approval =
            getClass().getResourceAsStream("/bpmn/elastic-agent-approval.bpmn");
        InputStream lifecycle =
            getClass().getResourceAsStream("/bpmn/elastic-agent-lifecycle.bpmn");
        InputStream form =
            getClass().getResourceAsStream("/bpmn/approve-elastic-agent-request.form")) {
      client
          .newDeployResourceCommand()
          .addResourceBytes(approval.readAllBytes(), "elastic-agent-approval.bpmn")
          .addResourceBytes(lifecycle.readAllBytes(), "elastic-agent-lifecycle.bpmn")
          .addResourceBytes(form.readAllBytes(), "approve-elastic-agent-request.form")
          .send()
          .join();
    }
  }

  @AfterEach
  void closeClient() {
    client.close();
    cluster.close();
  }

  @Test
  void assigningAnApproverIsLetThroughWithThePolicysCorrections() throws IOException {
    long instance = start(seed());

    cluster.assignUserTask(userTaskKey(instance), "alice");
    ActivatedJob listener = listenerJob();
    decide(listener);

    assertThat(listener.getListenerEventType()).isEqualTo(ListenerEventType.ASSIGNING);
    assertThat(listener.getKind()).isEqualTo(JobKind.TASK_LISTENER);
    assertThat(listener.getUserTask().getAssignee()).isEqualTo("alice");
    UserTaskRecordValue assigned = userTask(instance, UserTaskIntent.ASSIGNED);
    assertThat(assigned.getAssignee()).isEqualTo("alice");
    assertThat(assigned.getCandidateGroupsList()).containsExactly("production-approvers");
    assertThat(assigned.getPriority()).isEqualTo(80);
    assertThat(assigned.getDueDate()).isEqualTo("2026-11-23T13:15:30Z");
    assertThat(userTask(instance, UserTaskIntent.CORRECTED).getChangedAttributes())
        .containsExactlyInAnyOrder("candidateGroupsList", "priority", "dueDate");
  }

  @Test
  void assigningSomeoneOutsideTheApproverGroupsIsDeniedAndTheTaskStaysUnassigned()
      throws IOException {
    long instance = start(seed());

    cluster.assignUserTask(userTaskKey(instance), "mallory");
    decide(listenerJob());

    assertThat(deniedReason(userTask(instance, UserTaskIntent.ASSIGNMENT_DENIED)))
        .isEqualTo(
            "'mallory' cannot be assigned this task: only members of production-approvers decide on"
                + " elastic agent requests for environment 'production'. Assign it to one of"
                + " them.");
    assertThat(intents(instance)).doesNotContain(UserTaskIntent.ASSIGNED, UserTaskIntent.CORRECTED);
    assertThat(latest(instance).getAssignee()).isEmpty();
  }

  @Test
  void completingAnApprovalWithinPolicyRecordsTheOverrideAsAGrantAndEnds() throws IOException {
    long instance = start(seed());
    assignToAlice(instance);
    runningAgents.set(9);

    cluster.completeUserTask(userTaskKey(instance), Map.of("approved", true));
    ActivatedJob listener = listenerJob();
    decide(listener);

    assertThat(listener.getListenerEventType()).isEqualTo(ListenerEventType.COMPLETING);
    assertThat(listener.getUserTask().getAssignee()).isEqualTo("alice");
    assertThat(intents(instance)).contains(UserTaskIntent.COMPLETED);
    assertThat(grants)
        .containsExactly(
            new Grant(
                String.valueOf(listener.getUserTask().getUserTaskKey()),
                new ApprovalRequest(
                    "production",
                    Map.of("ami-id", "ami-c79d704a", "region", "us-east-1"),
                    "default",
                    java.util.Optional.of(4711L)),
                10));
    assertThat(completedElements(instance)).contains("EndEvent_OverrideGranted");
    assertThat(jobs("create-agent")).isEmpty();
  }

  @Test
  void completingAnApprovalBeyondTheClusterProfilesCapacityIsDeniedAndTheTaskStaysOpen()
      throws IOException {
    long instance = start(seed());
    assignToAlice(instance);
    runningAgents.set(10);

    cluster.completeUserTask(userTaskKey(instance), Map.of("approved", true));
    decide(listenerJob());

    assertThat(deniedReason(userTask(instance, UserTaskIntent.COMPLETION_DENIED)))
        .isEqualTo(
            "This request cannot be approved: the cluster profile 'default' is at capacity: 10"
                + " agent(s) run there, and an approved override may bring it to 10 at most."
                + " Complete the task with approved = false to reject it.");
    assertThat(intents(instance)).doesNotContain(UserTaskIntent.COMPLETED);
    assertThat(latest(instance).getAssignee()).isEqualTo("alice");
    assertThat(jobs("create-agent")).isEmpty();
  }

  @Test
  void completingAnApprovalOfAProfilePropertyThePolicyDoesNotAllowIsDenied() throws IOException {
    Map<String, Object> request = seed();
    request.put("properties", Map.of("ami-id", "ami-c79d704a", "region", "ap-south-1"));
    long instance = start(request);
    assignToAlice(instance);

    cluster.completeUserTask(userTaskKey(instance), Map.of("approved", true));
    decide(listenerJob());

    assertThat(deniedReason(userTask(instance, UserTaskIntent.COMPLETION_DENIED)))
        .contains("the elastic agent profile property 'region' has a value that is not allowed")
        .doesNotContain("ap-south-1");
    assertThat(intents(instance)).doesNotContain(UserTaskIntent.COMPLETED);
  }

  @Test
  void completingARejectionIsLetThroughAndEndsWithoutAnAgent() throws IOException {
    long instance = start(seed());
    assignToAlice(instance);
    runningAgents.set(10);

    cluster.completeUserTask(userTaskKey(instance), Map.of("approved", false));
    decide(listenerJob());

    assertThat(intents(instance)).contains(UserTaskIntent.COMPLETED);
    assertThat(completedElements(instance)).contains("EndEvent_RequestRejected");
    assertThat(jobs("create-agent")).isEmpty();
  }

  @Test
  void completionVariablesStayOnTheTaskAndNeverChangeTheRequest() throws IOException {
    long instance = start(seed());
    assignToAlice(instance);

    cluster.completeUserTask(
        userTaskKey(instance),
        Map.of(
            "approved",
            true,
            "properties",
            Map.of("ami-id", "ami-00000000", "region", "eu-west-1")));
    decide(listenerJob());

    assertThat(completedElements(instance)).contains("EndEvent_OverrideGranted");
    assertThat(
            StreamSupport.stream(cluster.records().variableRecords().spliterator(), false)
                .filter(record -> record.getValue().getProcessInstanceKey() == instance)
                .filter(record -> record.getValue().getScopeKey() == instance)
                .filter(record -> record.getValue().getName().equals("properties"))
                .map(record -> record.getIntent().name()))
        .containsExactly("CREATED");
  }

  private void assignToAlice(long instance) {
    cluster.assignUserTask(userTaskKey(instance), "alice");
    decide(listenerJob());
    assertThat(latest(instance).getAssignee()).isEqualTo("alice");
  }

  /** Runs the handler on the job and sends its outcome with the runtime's commands. */
  private void decide(ActivatedJob job) {
    JobOutcome outcome = handler.handle(job);
    assertThat(commands.send(job.getKey(), outcome)).isEmpty();
    cluster.awaitIdle();
  }

  private long start(Map<String, Object> variables) {
    long instance =
        client
            .newCreateInstanceCommand()
            .bpmnProcessId(PROCESS)
            .latestVersion()
            .variables(variables)
            .send()
            .join()
            .getProcessInstanceKey();
    cluster.awaitIdle();
    return instance;
  }

  private ActivatedJob listenerJob() {
    return onlyJob(ApproveAgentRequestHandler.JOB_TYPE);
  }

  private ActivatedJob onlyJob(String type) {
    List<ActivatedJob> jobs = jobs(type);
    assertThat(jobs).as("activated '%s' jobs", type).hasSize(1);
    return jobs.getFirst();
  }

  private List<ActivatedJob> jobs(String type) {
    return client
        .newActivateJobsCommand()
        .jobType(type)
        .maxJobsToActivate(10)
        .send()
        .join()
        .getJobs();
  }

  private long userTaskKey(long instance) {
    return userTaskRecords(instance).getFirst().getValue().getUserTaskKey();
  }

  private UserTaskRecordValue userTask(long instance, UserTaskIntent intent) {
    return userTaskRecords(instance).stream()
        .filter(record -> record.getIntent() == intent)
        .reduce((first, second) -> second)
        .orElseThrow(() -> new AssertionError("no user task record " + intent))
        .getValue();
  }

  /** The task as the last event left it. */
  private UserTaskRecordValue latest(long instance) {
    return userTaskRecords(instance).stream()
        .filter(record -> record.getRecordType() == RecordType.EVENT)
        .reduce((first, second) -> second)
        .orElseThrow()
        .getValue();
  }

  private List<UserTaskIntent> intents(long instance) {
    return userTaskRecords(instance).stream()
        .map(record -> (UserTaskIntent) record.getIntent())
        .toList();
  }

  @SuppressWarnings("unchecked")
  private List<Record<UserTaskRecordValue>> userTaskRecords(long instance) {
    return StreamSupport.stream(cluster.records().records().spliterator(), false)
        .filter(record -> record.getValueType() == ValueType.USER_TASK)
        .map(record -> (Record<UserTaskRecordValue>) record)
        .filter(record -> record.getValue().getProcessInstanceKey() == instance)
        .toList();
  }

  /** The 8.8 protocol keeps the denied reason on the record, not yet on its public value type. */
  private static String deniedReason(UserTaskRecordValue task) {
    return ((UserTaskRecord) task).getDeniedReason();
  }

  private List<String> completedElements(long instance) {
    return StreamSupport.stream(cluster.records().processInstanceRecords().spliterator(), false)
        .filter(record -> record.getValue().getProcessInstanceKey() == instance)
        .filter(record -> record.getIntent() == ProcessInstanceIntent.ELEMENT_COMPLETED)
        .filter(record -> record.getValue().getBpmnElementType() != BpmnElementType.SEQUENCE_FLOW)
        .map(record -> record.getValue().getElementId())
        .toList();
  }

  /**
   * The v1 seed without its auto-register key (the approval does not need it), for GoCD job 4711.
   */
  private static Map<String, Object> seed() {
    return GoCdBody.createAgentV1()
        .without("auto_register_key")
        .withJobIdentifier(GoCdBody.jobIdentifier(4711))
        .toMap();
  }
}
