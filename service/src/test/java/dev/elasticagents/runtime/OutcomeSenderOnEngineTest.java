package dev.elasticagents.runtime;

import static dev.elasticagents.testing.InstanceResults.ended;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.elasticagents.testing.OneTaskProcess;
import dev.elasticagents.testing.RestRecorder;
import dev.elasticagents.testing.ZeebeIntegrationTest;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.CamundaFuture;
import io.camunda.client.api.command.ProblemException;
import io.camunda.client.api.response.ActivatedJob;
import io.camunda.client.api.response.ProcessInstanceResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The engine's 204, 404, 409 and 400 answers drive the configured actions. */
@ZeebeIntegrationTest
class OutcomeSenderOnEngineTest {

  @Autowired CamundaClient client;
  @Autowired OutcomeSender sender;
  @Autowired RestRecorder rest;
  @Autowired MeterRegistry meters;

  @Test
  void anAcceptedCompletionCompletesTheProcessInstance() {
    String type = uniqueType("policy-accept");
    CamundaFuture<ProcessInstanceResult> instance = startWithResult(type);
    ActivatedJob job = activate(type);

    sender.send(JobRef.of(job), JobOutcome.complete(Map.of("answer", 42)));

    assertThat(ended(instance)).containsEntry("answer", 42);
    awaitStatuses(job.getKey(), "completion", 204);
  }

  @Test
  void aSecondCompletionIsAnsweredNotFoundAndIgnored() {
    String type = uniqueType("policy-twice");
    startWithResult(type);
    ActivatedJob job = activate(type);

    sender.send(JobRef.of(job), JobOutcome.complete(Map.of()));
    sender.send(JobRef.of(job), JobOutcome.complete(Map.of()));

    awaitStatuses(job.getKey(), "completion", 204, 404);
    assertThat(statuses(job.getKey(), "failure")).isEmpty();
    assertThat(problems(type, "not-found", "ignore")).isEqualTo(1);
  }

  @Test
  void aCompletionOfAFailedJobIsAnsweredInvalidStateAndIgnoredByDefault() {
    String type = uniqueType("policy-conflict");
    startWithResult(type);
    ActivatedJob job = activate(type);
    client.newFailCommand(job.getKey()).retries(0).errorMessage("failed elsewhere").send().join();

    sender.send(JobRef.of(job), JobOutcome.complete(Map.of()));

    awaitStatuses(job.getKey(), "completion", 409);
    assertThat(statuses(job.getKey(), "failure")).isEmpty();
    assertThat(problems(type, "invalid-state", "ignore")).isEqualTo(1);
  }

  @Test
  void aJobTypeConfiguredToFailOnConflictSendsAFailure() {
    String type = "policy-conflict-fails";
    startWithResult(type);
    ActivatedJob job = activate(type);
    client.newFailCommand(job.getKey()).retries(0).errorMessage("failed elsewhere").send().join();

    sender.send(JobRef.of(job), JobOutcome.complete(Map.of()));

    awaitStatuses(job.getKey(), "completion", 409);
    // The engine refuses to fail a failed job too; the fallback is recorded, not retried.
    awaitStatuses(job.getKey(), "failure", 409);
    assertThat(problems(type, "invalid-state", "fail")).isEqualTo(1);
  }

  @Test
  void anInvalidArgumentFailsTheJobIntoAnIncident() {
    String type = uniqueType("policy-invalid");
    startWithResult(type);
    ActivatedJob job = activate(type);

    sender.send(JobRef.of(job), new JobOutcome.ThrowError("", "no error code", Map.of()));

    awaitStatuses(job.getKey(), "error", 400);
    awaitStatuses(job.getKey(), "failure", 204);
    assertThat(problems(type, "invalid-argument", "fail")).isEqualTo(1);
    assertThatThrownBy(() -> completeOverRest(job.getKey()))
        .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.code()).isEqualTo(409));
  }

  private static String uniqueType(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  private CamundaFuture<ProcessInstanceResult> startWithResult(String type) {
    return OneTaskProcess.startWithResult(client, "process-" + type, type);
  }

  private ActivatedJob activate(String type) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                client
                    .newActivateJobsCommand()
                    .jobType(type)
                    .maxJobsToActivate(1)
                    .timeout(Duration.ofMinutes(1))
                    .send()
                    .join()
                    .getJobs(),
            jobs -> !jobs.isEmpty())
        .getFirst();
  }

  @SuppressWarnings("deprecation")
  private void completeOverRest(long jobKey) {
    client.newCompleteCommand(jobKey).useRest().send().join();
  }

  // The proxy journals an exchange just after it answered, so the journal may trail a little.
  private void awaitStatuses(long jobKey, String action, Integer... expected) {
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(statuses(jobKey, action)).containsExactly(expected));
  }

  private List<Integer> statuses(long jobKey, String action) {
    String path = "/v2/jobs/" + jobKey + "/" + action;
    return rest.exchanges(event -> event.getRequest().getUrl().equals(path)).stream()
        .map(ServeEvent::getResponse)
        .map(response -> response.getStatus())
        .toList();
  }

  private double problems(String type, String problem, String action) {
    return Optional.ofNullable(
            meters
                .find("zeebe.worker.outcome.problems")
                .tag("type", type)
                .tag("problem", problem)
                .tag("action", action)
                .counter())
        .map(Counter::count)
        .orElse(0.0);
  }
}
