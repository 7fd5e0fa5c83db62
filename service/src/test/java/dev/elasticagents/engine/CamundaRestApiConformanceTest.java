package dev.elasticagents.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.response.ActivatedJob;
import io.camunda.client.api.response.ProcessInstanceEvent;
import io.camunda.client.api.response.Topology;
import io.camunda.client.api.search.enums.JobKind;
import io.camunda.client.api.search.enums.ListenerEventType;
import io.camunda.zeebe.model.bpmn.Bpmn;
import io.camunda.zeebe.model.bpmn.BpmnModelInstance;
import io.camunda.zeebe.protocol.impl.record.value.usertask.UserTaskRecord;
import io.camunda.zeebe.protocol.record.Record;
import io.camunda.zeebe.protocol.record.ValueType;
import io.camunda.zeebe.protocol.record.intent.UserTaskIntent;
import io.camunda.zeebe.protocol.record.value.UserTaskRecordValue;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The REST front answers as a real 8.8 gateway answered for the same engine state (the rows of
 * "Camunda facts we verified"): status and title of each case.
 */
class CamundaRestApiConformanceTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static EmbeddedEngine engine;
  private static CamundaClient grpc;
  private static CamundaClient rest;

  @BeforeAll
  static void startTheEngine() {
    engine = EmbeddedEngine.start();
    grpc =
        CamundaClient.newClientBuilder()
            .grpcAddress(engine.grpcAddress())
            .restAddress(engine.restAddress())
            .preferRestOverGrpc(false)
            .build();
    rest =
        CamundaClient.newClientBuilder()
            .grpcAddress(engine.grpcAddress())
            .restAddress(engine.restAddress())
            .preferRestOverGrpc(true)
            .build();
  }

  @AfterAll
  static void stopTheEngine() {
    rest.close();
    grpc.close();
    engine.close();
  }

  @Test
  void bindsBothPortsOnLoopback() {
    assertThat(engine.grpcAddress().getHost()).isEqualTo("127.0.0.1");
    assertThat(engine.restAddress().getHost()).isEqualTo("127.0.0.1");
  }

  @Test
  void completingAnActivatedJobAnswers204() throws Exception {
    ActivatedJob job = activatedJob();

    HttpResponse<String> response =
        post("/v2/jobs/%d/completion".formatted(job.getKey()), "{\"variables\":{\"done\":true}}");

    assertThat(response.statusCode()).isEqualTo(204);
  }

  @Test
  void completingAJobTwiceAnswers404NotFound() throws Exception {
    ActivatedJob job = activatedJob();
    post("/v2/jobs/%d/completion".formatted(job.getKey()), "{}");

    HttpResponse<String> response = post("/v2/jobs/%d/completion".formatted(job.getKey()), "{}");

    assertProblem(response, 404, "NOT_FOUND");
    assertThat(problem(response).path("detail").asText())
        .startsWith("Command 'COMPLETE' rejected with code 'NOT_FOUND'");
  }

  @Test
  void completingAnUnknownJobAnswers404NotFound() throws Exception {
    assertProblem(post("/v2/jobs/2251799813999999/completion", "{}"), 404, "NOT_FOUND");
  }

  @Test
  void completingAFailedJobAnswers409InvalidState() throws Exception {
    ActivatedJob job = activatedJob();
    HttpResponse<String> failed =
        post(
            "/v2/jobs/%d/failure".formatted(job.getKey()),
            "{\"retries\":0,\"errorMessage\":\"broken\"}");
    assertThat(failed.statusCode()).isEqualTo(204);

    HttpResponse<String> response = post("/v2/jobs/%d/completion".formatted(job.getKey()), "{}");

    assertProblem(response, 409, "INVALID_STATE");
    assertThat(problem(response).path("detail").asText()).contains("FAILED");
  }

  @Test
  void aBodyOfTheWrongShapeAnswers400() throws Exception {
    ActivatedJob job = activatedJob();

    HttpResponse<String> response =
        post("/v2/jobs/%d/completion".formatted(job.getKey()), "{\"variables\":[1,2]}");

    assertProblem(response, 400, "Bad Request");
    assertThat(problem(response).path("detail").asText()).isEqualTo("Failed to read request");
  }

  @Test
  void anUnknownFieldAnswers400() throws Exception {
    ActivatedJob job = activatedJob();

    HttpResponse<String> response =
        post("/v2/jobs/%d/completion".formatted(job.getKey()), "{\"variabels\":{}}");

    assertProblem(response, 400, "Bad Request");
  }

  @Test
  void aListenerJobCompletedWithVariablesAnswers400() throws Exception {
    ActivatedJob listenerJob = assigningListenerJob();

    HttpResponse<String> response =
        post("/v2/jobs/%d/completion".formatted(listenerJob.getKey()), "{\"variables\":{\"x\":1}}");

    assertProblem(response, 400, "INVALID_ARGUMENT");
  }

  @Test
  void aListenerJobArrivesWithItsKindEventTypeAndUserTask() throws Exception {
    ActivatedJob listenerJob = assigningListenerJob();

    assertThat(listenerJob.getKind()).isEqualTo(JobKind.TASK_LISTENER);
    assertThat(listenerJob.getListenerEventType()).isEqualTo(ListenerEventType.ASSIGNING);
    assertThat(listenerJob.getUserTask().getAssignee()).isEqualTo("ada");
  }

  @Test
  void aListenerJobCompletedWithADenialDeniesTheAssignment() throws Exception {
    ActivatedJob listenerJob = assigningListenerJob();
    long userTaskKey = listenerJob.getUserTask().getUserTaskKey();

    HttpResponse<String> response =
        post(
            "/v2/jobs/%d/completion".formatted(listenerJob.getKey()),
            "{\"result\":{\"type\":\"userTask\",\"denied\":true,\"deniedReason\":\"not ada\"}}");
    engine.awaitIdle();

    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(userTaskRecords(UserTaskIntent.ASSIGNMENT_DENIED))
        .anyMatch(
            record ->
                record.getKey() == userTaskKey
                    && "not ada".equals(((UserTaskRecord) record.getValue()).getDeniedReason()));
  }

  @Test
  void anAssignmentOverRestThatItsListenerDeniesAnswers409InvalidStateOnceTheListenerDecided()
      throws Exception {
    String type = jobType();
    deployAndStart(
        Bpmn.createExecutableProcess(type)
            .startEvent()
            .userTask(
                "approve",
                task -> task.zeebeUserTask().zeebeTaskListener(l -> l.assigning().type(type)))
            .endEvent()
            .done());
    engine.awaitIdle();
    long userTaskKey =
        StreamSupport.stream(engine.records().records().spliterator(), false)
            .filter(
                record ->
                    record.getValueType() == ValueType.USER_TASK
                        && record.getIntent() == UserTaskIntent.CREATED)
            .filter(
                record ->
                    ((UserTaskRecordValue) record.getValue()).getElementId().equals("approve"))
            .mapToLong(Record::getKey)
            .max()
            .orElseThrow();

    CompletableFuture<HttpResponse<String>> assignment =
        HTTP.sendAsync(
            HttpRequest.newBuilder(
                    URI.create(
                        engine.restAddress()
                            + "/v2/user-tasks/%d/assignment".formatted(userTaskKey)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"assignee\":\"mallory\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    ActivatedJob listenerJob = activate(type);
    assertThat(assignment).as("answered only once the listener decided").isNotDone();
    post(
        "/v2/jobs/%d/completion".formatted(listenerJob.getKey()),
        "{\"result\":{\"type\":\"userTask\",\"denied\":true,\"deniedReason\":\"not mallory\"}}");

    assertProblem(assignment.get(10, TimeUnit.SECONDS), 409, "INVALID_STATE");
  }

  @Test
  void aListenerJobCompletedWithCorrectionsCorrectsTheTask() throws Exception {
    ActivatedJob listenerJob = assigningListenerJob();
    long userTaskKey = listenerJob.getUserTask().getUserTaskKey();

    post(
        "/v2/jobs/%d/completion".formatted(listenerJob.getKey()),
        "{\"result\":{\"type\":\"userTask\",\"denied\":false,\"corrections\":{\"priority\":80}}}");
    engine.awaitIdle();

    assertThat(userTaskRecords(UserTaskIntent.ASSIGNED))
        .anyMatch(
            record -> record.getKey() == userTaskKey && record.getValue().getPriority() == 80);
  }

  @Test
  void aJobThrowsABpmnErrorThatNoBoundaryCatchesIntoAnIncident() throws Exception {
    ActivatedJob job = activatedJob();

    HttpResponse<String> response =
        post(
            "/v2/jobs/%d/error".formatted(job.getKey()),
            "{\"errorCode\":\"nope\",\"errorMessage\":\"no catch\"}");

    assertThat(response.statusCode()).isEqualTo(204);
  }

  @Test
  void anErrorWithoutAnErrorCodeAnswers400BeforeReachingTheEngine() throws Exception {
    ActivatedJob job = activatedJob();

    HttpResponse<String> response =
        post("/v2/jobs/%d/error".formatted(job.getKey()), "{\"errorMessage\":\"no code\"}");

    assertProblem(response, 400, "INVALID_ARGUMENT");
    assertThat(problem(response).path("detail").asText()).isEqualTo("No errorCode provided.");
  }

  @Test
  void aFailureWithRetriesLeftComesBackAfterItsBackOff() throws Exception {
    String type = jobType();
    deployAndStart(oneTask(type));
    ActivatedJob job = activate(type);

    post(
        "/v2/jobs/%d/failure".formatted(job.getKey()),
        "{\"retries\":2,\"retryBackOff\":60000,\"errorMessage\":\"later\"}");

    assertThat(
            grpc.newActivateJobsCommand()
                .jobType(type)
                .maxJobsToActivate(1)
                .send()
                .join()
                .getJobs())
        .isEmpty();
    engine.increaseTime(Duration.ofMinutes(2));
    assertThat(activate(type).getRetries()).isEqualTo(2);
  }

  @Test
  void aPublishedMessageStartsItsProcessOncePerCorrelationKey() throws Exception {
    String process = "message-started-" + UUID.randomUUID().toString().substring(0, 8);
    String message = process + "-requested";
    rest.newDeployResourceCommand()
        .addProcessModel(
            Bpmn.createExecutableProcess(process)
                .startEvent()
                .message(message)
                .serviceTask("wait", t -> t.zeebeJobType(process))
                .endEvent()
                .done(),
            process + ".bpmn")
        .send()
        .join();

    rest.newPublishMessageCommand().messageName(message).correlationKey("job-1").send().join();
    rest.newPublishMessageCommand().messageName(message).correlationKey("job-1").send().join();
    engine.awaitIdle();

    assertThat(
            grpc.newActivateJobsCommand()
                .jobType(process)
                .maxJobsToActivate(10)
                .send()
                .join()
                .getJobs())
        .hasSize(1);
  }

  @Test
  void aProcessInstanceCreatedWithAwaitCompletionAnswersWithItsVariables() {
    String type = jobType();
    rest.newDeployResourceCommand().addProcessModel(oneTask(type), type + ".bpmn").send().join();
    var result =
        rest.newCreateInstanceCommand()
            .bpmnProcessId(type)
            .latestVersion()
            .variables(Map.of("a", 1))
            .withResult()
            .send();
    ActivatedJob job = activate(type);
    rest.newCompleteCommand(job.getKey()).variables(Map.of("b", 2)).send().join();

    assertThat(result.join().getVariablesAsMap()).containsEntry("a", 1).containsEntry("b", 2);
  }

  @Test
  void theTopologyShowsOneHealthyLeaderOfAnEightDotEightEngine() {
    Topology topology = rest.newTopologyRequest().send().join();

    assertThat(topology.getPartitionsCount()).isEqualTo(1);
    assertThat(topology.getGatewayVersion()).startsWith("8.8");
    assertThat(topology.getBrokers().getFirst().getPartitions().getFirst().isLeader()).isTrue();
  }

  @Test
  void whileRefusingConnectionsNothingConnectsAndWhileUnavailableEveryRequestIs503()
      throws Exception {
    try {
      engine.refuseConnections();
      assertThat(reachable()).isFalse();

      engine.answerUnavailable();
      assertProblem(post("/v2/jobs/1/completion", "{}"), 503, "UNAVAILABLE");
    } finally {
      engine.recover();
    }
    assertProblem(post("/v2/jobs/1/completion", "{}"), 404, "NOT_FOUND");
  }

  @SuppressWarnings("unchecked")
  private static List<Record<UserTaskRecordValue>> userTaskRecords(UserTaskIntent intent) {
    return StreamSupport.stream(engine.records().records().spliterator(), false)
        .filter(
            record -> record.getValueType() == ValueType.USER_TASK && record.getIntent() == intent)
        .map(record -> (Record<UserTaskRecordValue>) record)
        .toList();
  }

  private static boolean reachable() {
    // A client of its own: a pooled connection from before would not show a refused one.
    try (HttpClient client = HttpClient.newHttpClient()) {
      client.send(
          HttpRequest.newBuilder(URI.create(engine.restAddress() + "/v2/topology")).build(),
          HttpResponse.BodyHandlers.discarding());
      return true;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static ActivatedJob activatedJob() {
    String type = jobType();
    deployAndStart(oneTask(type));
    return activate(type);
  }

  private static ActivatedJob assigningListenerJob() {
    String type = jobType();
    BpmnModelInstance model =
        Bpmn.createExecutableProcess(type)
            .startEvent()
            .userTask(
                "approve",
                task ->
                    task.zeebeUserTask()
                        .zeebeAssignee("ada")
                        .zeebeTaskListener(l -> l.assigning().type(type)))
            .endEvent()
            .done();
    deployAndStart(model);
    return activate(type);
  }

  private static ProcessInstanceEvent deployAndStart(BpmnModelInstance model) {
    String process =
        model
            .getModelElementsByType(io.camunda.zeebe.model.bpmn.instance.Process.class)
            .iterator()
            .next()
            .getId();
    rest.newDeployResourceCommand().addProcessModel(model, process + ".bpmn").send().join();
    return rest.newCreateInstanceCommand().bpmnProcessId(process).latestVersion().send().join();
  }

  private static BpmnModelInstance oneTask(String type) {
    return Bpmn.createExecutableProcess(type)
        .startEvent()
        .serviceTask("task", t -> t.zeebeJobType(type))
        .endEvent()
        .done();
  }

  private static ActivatedJob activate(String type) {
    engine.awaitIdle();
    List<ActivatedJob> jobs =
        grpc.newActivateJobsCommand().jobType(type).maxJobsToActivate(1).send().join().getJobs();
    assertThat(jobs).as("jobs of type %s", type).hasSize(1);
    return jobs.getFirst();
  }

  private static String jobType() {
    return "conformance-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static HttpResponse<String> post(String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(engine.restAddress() + path))
            .timeout(Duration.ofSeconds(10));
    if (path.equals("/v2/topology")) {
      request.GET();
    } else {
      request
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body));
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertProblem(HttpResponse<String> response, int status, String title)
      throws IOException {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    JsonNode problem = problem(response);
    assertThat(problem.path("status").asInt()).isEqualTo(status);
    assertThat(problem.path("title").asText()).isEqualTo(title);
  }

  private static JsonNode problem(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }
}
