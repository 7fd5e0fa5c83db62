package dev.elasticagents.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.testing.InstanceResults;
import dev.elasticagents.testing.OneTaskProcess;
import dev.elasticagents.testing.ZeebeIntegrationTest;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.CamundaFuture;
import io.camunda.client.api.response.ActivatedJob;
import io.camunda.client.api.response.ProcessInstanceResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Handlers run on virtual threads, as many at once as the worker has jobs active, not as many as
 * the client has execution threads (4): twelve handlers that wait all run at the same time.
 */
@ZeebeIntegrationTest
class HandlerConcurrencyOnEngineTest {

  private static final int JOBS = 12;

  @Autowired CamundaClient client;
  @Autowired OutcomesInFlight outcomes;
  @Autowired OutcomeMetrics metrics;
  @Autowired WorkerProperties properties;

  private final CountDownLatch allStarted = new CountDownLatch(JOBS);
  private final CountDownLatch release = new CountDownLatch(1);
  private final Map<String, Boolean> virtual = new ConcurrentHashMap<>();

  @Test
  void handlersThatWaitRunAtTheSameTimeOnVirtualThreads() throws Exception {
    String type = "concurrency-probe-" + UUID.randomUUID();
    JobsInFlight inFlight = new JobsInFlight();
    JobWorkerRegistrar workers =
        new JobWorkerRegistrar(
            client,
            List.of(new WaitingHandler(type)),
            new JobDispatcher(outcomes, metrics, properties, inFlight),
            inFlight,
            properties,
            "concurrency-test");
    workers.start();
    try {
      List<CamundaFuture<ProcessInstanceResult>> instances = new ArrayList<>();
      String process = "concurrency-" + UUID.randomUUID();
      for (int i = 0; i < JOBS; i++) {
        instances.add(
            i == 0 ? OneTaskProcess.startWithResult(client, process, type) : startAnother(process));
      }

      assertThat(allStarted.await(60, TimeUnit.SECONDS))
          .as("all %d handlers waiting at once", JOBS)
          .isTrue();
      release.countDown();
      instances.forEach(CamundaFuture::join);
      assertThat(virtual).hasSize(JOBS).doesNotContainValue(false);
    } finally {
      release.countDown();
      workers.stop();
    }
  }

  private CamundaFuture<ProcessInstanceResult> startAnother(String process) {
    return client
        .newCreateInstanceCommand()
        .bpmnProcessId(process)
        .latestVersion()
        .withResult()
        .requestTimeout(InstanceResults.REQUEST_TIMEOUT)
        .send();
  }

  /** Waits until every job of the test has started, as launches that take a while would. */
  private final class WaitingHandler implements JobHandler {

    private final String type;

    WaitingHandler(String type) {
      this.type = type;
    }

    @Override
    public String jobType() {
      return type;
    }

    @Override
    public List<String> fetchVariables() {
      return List.of();
    }

    @Override
    public JobOutcome handle(ActivatedJob job) {
      virtual.put(String.valueOf(job.getKey()), Thread.currentThread().isVirtual());
      allStarted.countDown();
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return JobOutcome.complete(Map.of());
    }
  }
}
