package dev.elasticagents.runtime;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.elasticagents.testing.FakeRetryClock;
import io.camunda.client.CamundaClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The problem policy against an HTTP stub that answers what a real cluster will not on demand:
 * every problem status, unreadable bodies, resets and slow answers.
 */
class OutcomeSenderTest {

  private static final long JOB_KEY = 2251799813685260L;
  private static final String TYPE = "create-agent";
  private static final String COMPLETION = "/v2/jobs/" + JOB_KEY + "/completion";
  private static final String FAILURE = "/v2/jobs/" + JOB_KEY + "/failure";
  private static final String ERROR = "/v2/jobs/" + JOB_KEY + "/error";

  @RegisterExtension
  static WireMockExtension cluster =
      WireMockExtension.newInstance()
          .options(wireMockConfig().bindAddress("127.0.0.1").dynamicPort())
          .build();

  private final ObjectMapper json = new ObjectMapper();
  private final FakeRetryClock clock = new FakeRetryClock();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ClusterCredentialsHealthIndicator credentials =
      new ClusterCredentialsHealthIndicator();
  private CamundaClient client;

  @AfterEach
  void closeClient() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void sendsACompletionOnceWhenTheClusterAccepts() throws IOException {
    answer(COMPLETION, aResponse().withStatus(204));

    sender().send(job(), JobOutcome.complete(Map.of("elastic_agent_id", "GoCD1")));

    assertThat(requests(COMPLETION)).isEqualTo(1);
    assertThat(body(COMPLETION, 0).path("variables").path("elastic_agent_id").asText())
        .isEqualTo("GoCD1");
    assertThat(attempts("complete", "204")).isEqualTo(1);
  }

  @Test
  void invalidArgumentFailsTheJobWithoutRetriesShowingTheProblemDetail() throws IOException {
    answer(COMPLETION, problem(400, "INVALID_ARGUMENT", "Expected variables to be an object"));
    answer(FAILURE, aResponse().withStatus(204));

    sender().send(job(), JobOutcome.complete(Map.of("a", 1)));

    assertThat(requests(COMPLETION)).isEqualTo(1);
    assertThat(requests(FAILURE)).isEqualTo(1);
    JsonNode failure = body(FAILURE, 0);
    assertThat(failure.path("retries").asInt(-1)).isZero();
    assertThat(failure.path("errorMessage").asText())
        .contains("400 INVALID_ARGUMENT")
        .contains("Expected variables to be an object");
    assertThat(problems("invalid-argument", "400", "fail")).isEqualTo(1);
  }

  @Test
  void otherClientErrorsAreTreatedAsInvalidArguments() {
    answer(COMPLETION, problem(413, "PAYLOAD_TOO_LARGE", "too large"));
    answer(FAILURE, aResponse().withStatus(204));

    sender().send(job(), JobOutcome.complete(Map.of("a", 1)));

    assertThat(requests(COMPLETION)).isEqualTo(1);
    assertThat(requests(FAILURE)).isEqualTo(1);
    assertThat(problems("invalid-argument", "413", "fail")).isEqualTo(1);
  }

  @Test
  void invalidArgumentThrowsTheConfiguredBpmnError() throws IOException {
    answer(COMPLETION, problem(400, "INVALID_ARGUMENT", "bad variables"));
    answer(ERROR, aResponse().withStatus(204));

    sender(
            Map.of(
                "job-workers.job-types.create-agent.problem-policy.invalid-argument", "bpmn-error",
                "job-workers.job-types.create-agent.problem-policy.error-code",
                    "AGENT_REQUEST_REJECTED"))
        .send(job(), JobOutcome.complete(Map.of("a", 1)));

    assertThat(requests(ERROR)).isEqualTo(1);
    assertThat(requests(FAILURE)).isZero();
    assertThat(body(ERROR, 0).path("errorCode").asText()).isEqualTo("AGENT_REQUEST_REJECTED");
    assertThat(body(ERROR, 0).path("errorMessage").asText()).contains("bad variables");
  }

  @Test
  void notFoundIsRecordedAndNeverRetried() {
    answer(COMPLETION, problem(404, "NOT_FOUND", "no such job"));

    sender().send(job(), JobOutcome.complete(Map.of()));

    assertThat(requests(COMPLETION)).isEqualTo(1);
    assertThat(requests(FAILURE)).isZero();
    assertThat(clock.waits()).isEmpty();
    assertThat(problems("not-found", "404", "ignore")).isEqualTo(1);
  }

  @Test
  void invalidStateIsRecordedAndNeverRetriedByDefault() {
    answer(COMPLETION, problem(409, "INVALID_STATE", "it is in state 'FAILED'"));

    sender().send(job(), JobOutcome.complete(Map.of()));

    assertThat(requests(COMPLETION)).isEqualTo(1);
    assertThat(requests(FAILURE)).isZero();
    assertThat(problems("invalid-state", "409", "ignore")).isEqualTo(1);
  }

  @Test
  void invalidStateFailsTheJobWhenConfigured() throws IOException {
    answer(COMPLETION, problem(409, "INVALID_STATE", "it is in state 'ERROR_THROWN'"));
    answer(FAILURE, aResponse().withStatus(204));

    sender(Map.of("job-workers.job-types.create-agent.problem-policy.invalid-state", "fail"))
        .send(job(), JobOutcome.complete(Map.of()));

    assertThat(requests(COMPLETION)).isEqualTo(1);
    assertThat(body(FAILURE, 0).path("retries").asInt(-1)).isZero();
    assertThat(body(FAILURE, 0).path("errorMessage").asText()).contains("409 INVALID_STATE");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(ints = {500, 502, 504})
  void serverErrorsAreRetriedUntilAttemptsRunOutThenTheJobIsFailedForRedelivery(int status)
      throws IOException {
    answer(COMPLETION, problem(status, "UNAVAILABLE", "try later"));
    answer(FAILURE, aResponse().withStatus(204));

    sender(Map.of("job-workers.problem-policy.retry.max-attempts", "3"))
        .send(job(), JobOutcome.complete(Map.of()));

    assertThat(requests(COMPLETION)).isEqualTo(3);
    assertThat(clock.waits()).hasSize(2);
    JsonNode failure = body(FAILURE, 0);
    assertThat(failure.path("retries").asInt()).isEqualTo(2);
    assertThat(failure.path("retryBackOff").asLong()).isEqualTo(30_000);
    assertThat(failure.path("errorMessage").asText())
        .contains("after 3 attempt(s)")
        .contains(status + " UNAVAILABLE");
    assertThat(counter("zeebe.worker.outcome.retries", String.valueOf(status))).isEqualTo(2);
    assertThat(counter("zeebe.worker.outcome.exhausted", String.valueOf(status))).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(ints = {429, 503})
  void backpressureIsRetriedByThePolicyAloneOneRequestPerAttempt(int status) {
    answer(COMPLETION, problem(status, "RESOURCE_EXHAUSTED", "backpressure"));
    answer(FAILURE, aResponse().withStatus(204));

    sender(Map.of("job-workers.problem-policy.retry.max-attempts", "2"))
        .send(job(), JobOutcome.complete(Map.of()));

    // Apache HttpClient would send 429 and 503 once more by itself; HttpClientRetriesOff stops it.
    assertThat(requests(COMPLETION)).isEqualTo(2);
    assertThat(clock.waits()).hasSize(1);
    assertThat(requests(FAILURE)).isEqualTo(1);
  }

  @Test
  void aRetrySucceedsWhenTheClusterRecovers() {
    cluster.stubFor(
        post(urlPathEqualTo(COMPLETION))
            .inScenario("recovery")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(problem(500, "INTERNAL", "boom"))
            .willSetStateTo("recovered"));
    cluster.stubFor(
        post(urlPathEqualTo(COMPLETION))
            .inScenario("recovery")
            .whenScenarioStateIs("recovered")
            .willReturn(aResponse().withStatus(204)));

    sender().send(job(), JobOutcome.complete(Map.of()));

    assertThat(requests(COMPLETION)).isEqualTo(2);
    assertThat(requests(FAILURE)).isZero();
    assertThat(attempts("complete", "204")).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = Fault.class,
      names = {"CONNECTION_RESET_BY_PEER", "EMPTY_RESPONSE", "RANDOM_DATA_THEN_CLOSE"})
  void transportFaultsAreRetried(Fault fault) {
    answer(COMPLETION, aResponse().withFault(fault));
    answer(FAILURE, aResponse().withStatus(204));

    sender(Map.of("job-workers.problem-policy.retry.max-attempts", "3"))
        .send(job(), JobOutcome.complete(Map.of()));

    assertThat(requests(COMPLETION)).isEqualTo(3);
    assertThat(requests(FAILURE)).isEqualTo(1);
    assertThat(problems("transport", "transport", "retry")).isEqualTo(3);
  }

  @Test
  void slowAnswersTimeOutAndAreRetried() {
    answer(COMPLETION, aResponse().withStatus(204).withFixedDelay(2_000));
    answer(FAILURE, aResponse().withStatus(204));

    sender(
            Map.of(
                "job-workers.request-timeout", "PT0.3S",
                "job-workers.problem-policy.retry.max-attempts", "2"))
        .send(job(), JobOutcome.complete(Map.of()));

    assertThat(requests(COMPLETION)).isEqualTo(2);
    assertThat(problems("transport", "transport", "retry")).isEqualTo(2);
  }

  @Test
  void refusedConnectionsAreRetried() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }

    sender(
            URI.create("http://127.0.0.1:" + closedPort),
            Map.of("job-workers.problem-policy.retry.max-attempts", "3"))
        .send(job(), JobOutcome.complete(Map.of()));

    assertThat(clock.waits()).hasSize(2);
    assertThat(counter("zeebe.worker.outcome.exhausted", "transport")).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"problem+json garbage", "html"})
  void unreadableProblemBodiesAreRetried(String kind) {
    ResponseDefinitionBuilder response =
        kind.equals("html")
            ? aResponse()
                .withStatus(502)
                .withHeader("Content-Type", "text/html")
                .withBody("<html>Bad gateway</html>")
            : aResponse()
                .withStatus(500)
                .withHeader("Content-Type", "application/problem+json")
                .withBody("{not json");
    answer(COMPLETION, response);
    answer(FAILURE, aResponse().withStatus(204));

    sender(Map.of("job-workers.problem-policy.retry.max-attempts", "2"))
        .send(job(), JobOutcome.complete(Map.of()));

    assertThat(requests(COMPLETION)).isEqualTo(2);
    assertThat(requests(FAILURE)).isEqualTo(1);
    assertThat(
            meters
                .find("zeebe.worker.outcome.problems")
                .tag("problem", "malformed-response")
                .counter()
                .count())
        .isEqualTo(2);
  }

  @Test
  void backoffGrowsExponentiallyWithinTheJitterAndStopsAtTheCap() {
    answer(COMPLETION, problem(500, "INTERNAL", "busy"));
    answer(FAILURE, aResponse().withStatus(204));

    sender(
            Map.of(
                "job-workers.problem-policy.retry.max-attempts", "6",
                "job-workers.problem-policy.retry.initial-backoff", "PT0.1S",
                "job-workers.problem-policy.retry.max-backoff", "PT0.5S",
                "job-workers.problem-policy.retry.multiplier", "2",
                "job-workers.problem-policy.retry.jitter", "0.2"))
        .send(job(), JobOutcome.complete(Map.of()));

    List<Long> waits = clock.waits().stream().map(Duration::toMillis).toList();
    assertThat(waits).hasSize(5);
    long[] bases = {100, 200, 400, 500, 500};
    for (int i = 0; i < bases.length; i++) {
      assertThat(waits.get(i)).isBetween(Math.round(bases[i] * 0.8), Math.round(bases[i] * 1.2));
    }
  }

  @Test
  void retriesStopAtTheJobDeadline() throws IOException {
    answer(COMPLETION, problem(500, "INTERNAL", "busy"));
    answer(FAILURE, aResponse().withStatus(204));
    JobRef job = new JobRef(JOB_KEY, TYPE, 3, clock.now().plusMillis(700));

    sender(
            Map.of(
                "job-workers.problem-policy.retry.max-attempts", "10",
                "job-workers.problem-policy.retry.initial-backoff", "PT0.2S",
                "job-workers.problem-policy.retry.jitter", "0"))
        .send(job, JobOutcome.complete(Map.of()));

    // Waits of 200 and 400 ms fit before the deadline at 700 ms; the next, 800 ms, would not.
    assertThat(clock.waits()).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400));
    assertThat(requests(COMPLETION)).isEqualTo(3);
    assertThat(body(FAILURE, 0).path("retries").asInt()).isEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(ints = {401, 403})
  void rejectedCredentialsStopRetryingAndReportUnhealthyUntilAccepted(int status) {
    answer(COMPLETION, problem(status, status == 401 ? "UNAUTHORIZED" : "FORBIDDEN", "no"));
    OutcomeSender sender = sender();

    sender.send(job(), JobOutcome.complete(Map.of()));

    assertThat(requests(COMPLETION)).isEqualTo(1);
    assertThat(requests(FAILURE)).isZero();
    assertThat(credentials.health().getStatus()).isEqualTo(Status.DOWN);
    assertThat(credentials.health().getDetails().get("reason").toString())
        .contains(status == 401 ? "camunda.client.auth" : "permission");

    cluster.resetAll();
    answer(COMPLETION, aResponse().withStatus(204));
    sender.send(job(), JobOutcome.complete(Map.of()));

    assertThat(credentials.health().getStatus()).isEqualTo(Status.UP);
  }

  @Test
  void aFallbackThatIsRejectedIsRecordedAndNotSentAgain() {
    answer(COMPLETION, problem(400, "INVALID_ARGUMENT", "bad"));
    answer(FAILURE, problem(400, "INVALID_ARGUMENT", "also bad"));

    sender().send(job(), JobOutcome.complete(Map.of()));

    assertThat(requests(COMPLETION)).isEqualTo(1);
    assertThat(requests(FAILURE)).isEqualTo(1);
    assertThat(
            meters
                .find("zeebe.worker.outcome.problems")
                .tag("outcome", "fail")
                .tag("action", "none")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void aDenialIsSentAsAUserTaskResultWithoutVariables() throws IOException {
    answer(COMPLETION, aResponse().withStatus(204));

    sender().send(job(), JobOutcome.completeUserTask(UserTaskResult.deny("cluster at capacity")));

    JsonNode body = body(COMPLETION, 0);
    assertThat(body.has("variables") && !body.get("variables").isNull()).isFalse();
    assertThat(body.path("result").path("type").asText()).isEqualTo("userTask");
    assertThat(body.path("result").path("denied").asBoolean()).isTrue();
    assertThat(body.path("result").path("deniedReason").asText()).isEqualTo("cluster at capacity");
    assertThat(attempts("deny", "204")).isEqualTo(1);
  }

  private OutcomeSender sender() {
    return sender(Map.of());
  }

  private OutcomeSender sender(Map<String, String> configuration) {
    return sender(URI.create(cluster.baseUrl()), configuration);
  }

  private OutcomeSender sender(URI restAddress, Map<String, String> configuration) {
    Map<String, String> properties = new HashMap<>(configuration);
    properties.putIfAbsent("job-workers.request-timeout", "PT5S");
    WorkerProperties worker =
        new Binder(new MapConfigurationPropertySource(properties))
            .bindOrCreate("job-workers", WorkerProperties.class);
    client =
        CamundaClient.newClientBuilder()
            .grpcAddress(URI.create("http://127.0.0.1:1"))
            .restAddress(restAddress)
            .preferRestOverGrpc(false)
            // As the service's client has it (RuntimeConfiguration): no retries beneath the policy.
            .withChainHandlers(new HttpClientRetriesOff())
            .build();
    return new OutcomeSender(
        new RestCommands(client, worker),
        new ProblemPolicies(worker),
        new OutcomeMetrics(meters),
        credentials,
        clock);
  }

  private JobRef job() {
    return new JobRef(JOB_KEY, TYPE, 3, clock.now().plus(Duration.ofMinutes(5)));
  }

  private static void answer(String path, ResponseDefinitionBuilder response) {
    cluster.stubFor(post(urlPathEqualTo(path)).willReturn(response));
  }

  private static ResponseDefinitionBuilder problem(int status, String title, String detail) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/problem+json")
        .withBody(
            """
            {"type":"about:blank","title":"%s","status":%d,"detail":"%s","instance":"/v2/jobs"}
            """
                .formatted(title, status, detail));
  }

  private static int requests(String path) {
    return cluster.findAll(postRequestedFor(urlPathEqualTo(path))).size();
  }

  private JsonNode body(String path, int index) throws IOException {
    return json.readTree(
        cluster.findAll(postRequestedFor(urlPathEqualTo(path))).get(index).getBodyAsString());
  }

  private long attempts(String outcome, String status) {
    return Optional.ofNullable(
            meters
                .find("zeebe.worker.outcome.sent")
                .tag("outcome", outcome)
                .tag("status", status)
                .timer())
        .map(timer -> timer.count())
        .orElse(0L);
  }

  private double problems(String problem, String status, String action) {
    return Optional.ofNullable(
            meters
                .find("zeebe.worker.outcome.problems")
                .tag("problem", problem)
                .tag("status", status)
                .tag("action", action)
                .counter())
        .map(counter -> counter.count())
        .orElse(0.0);
  }

  private double counter(String name, String status) {
    return Optional.ofNullable(meters.find(name).tag("status", status).counter())
        .map(counter -> counter.count())
        .orElse(0.0);
  }
}
