package dev.elasticagents.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.elasticagents.testing.OneTaskProcess;
import dev.elasticagents.testing.RestRecorder;
import dev.elasticagents.testing.ZeebeIntegrationTest;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.response.ActivatedJob;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Under back-pressure the problem policy is the only retry layer: every attempt it makes is one
 * request at the cluster's REST front, with no re-execution of the HTTP client's own beneath it
 * (Apache HttpClient would send a 429 or 503 again a second later, doubling the load exactly when
 * the cluster asks for less).
 */
@ZeebeIntegrationTest
class OneRetryLayerOnEngineTest {

  @Autowired CamundaClient client;
  @Autowired OutcomeSender sender;
  @Autowired ProblemPolicies policies;
  @Autowired RestRecorder rest;

  @Test
  void eachAttemptOfThePolicyUnderBackpressureIsExactlyOneRequest() {
    String type = "one-retry-layer-" + UUID.randomUUID();
    OneTaskProcess.startWithResult(client, "process-" + type, type);
    ActivatedJob job = activate(type);
    RetryPolicy retry = policies.forJobType(type).retry();
    // The proxy answers every completion of this job 503 RESOURCE_EXHAUSTED, counting each
    // request before it answers it: once the sender returns, the count is final.
    AtomicInteger lost = rest.loseCompletions((jobKey, body) -> jobKey == job.getKey());
    int lostBefore = lost.get();
    try {
      sender.send(JobRef.of(job), JobOutcome.complete(Map.of()));
    } finally {
      rest.stopLosingCompletions();
    }

    assertThat(lost.get() - lostBefore)
        .as("completion requests for %d attempts of the policy", retry.maxAttempts())
        .isEqualTo(retry.maxAttempts());
    // The proxy journals an exchange just after it answered, so the journal may trail a little.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(exchanges(job.getKey(), "completion")).hasSize(retry.maxAttempts());
              assertThat(exchanges(job.getKey(), "failure")).hasSize(1);
            });
    // Consecutive requests are the policy's back-offs apart (within its jitter), never the HTTP
    // client's one-second re-execution of the same attempt.
    List<ServeEvent> completions = exchanges(job.getKey(), "completion");
    for (int attempt = 1; attempt < completions.size(); attempt++) {
      Duration gap =
          Duration.between(
              completions.get(attempt - 1).getRequest().getLoggedDate().toInstant(),
              completions.get(attempt).getRequest().getLoggedDate().toInstant());
      long shortest = Math.round(retry.backoffAfter(attempt).toMillis() * (1 - retry.jitter()));
      assertThat(gap.toMillis())
          .as("gap before attempt %d", attempt + 1)
          .isGreaterThanOrEqualTo(shortest - 1);
    }
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

  private List<ServeEvent> exchanges(long jobKey, String action) {
    String path = "/v2/jobs/" + jobKey + "/" + action;
    return rest.exchanges(event -> event.getRequest().getUrl().equals(path));
  }
}
