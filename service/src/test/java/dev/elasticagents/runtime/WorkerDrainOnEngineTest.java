package dev.elasticagents.runtime;

import static dev.elasticagents.testing.InstanceResults.ended;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.elasticagents.testing.OneTaskProcess;
import dev.elasticagents.testing.ZeebeIntegrationTest;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.CamundaFuture;
import io.camunda.client.api.response.ActivatedJob;
import io.camunda.client.api.response.ProcessInstanceResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A stopping service on the embedded engine: its workers stop activating jobs, and a handler that
 * runs finishes, uninterrupted, and its outcome reaches the engine before the workers report
 * stopped.
 */
@ZeebeIntegrationTest
class WorkerDrainOnEngineTest {

  @Autowired CamundaClient client;
  @Autowired OutcomesInFlight outcomes;
  @Autowired OutcomeMetrics metrics;
  @Autowired WorkerProperties properties;

  private final CountDownLatch handlerStarted = new CountDownLatch(1);
  private final CountDownLatch releaseHandler = new CountDownLatch(1);
  private final AtomicBoolean handlerInterrupted = new AtomicBoolean();

  @Test
  void aRunningHandlerFinishesAndItsOutcomeIsSentBeforeTheWorkersStop() throws Exception {
    String type = "drain-probe-" + UUID.randomUUID();
    JobsInFlight inFlight = new JobsInFlight();
    JobWorkerRegistrar workers =
        new JobWorkerRegistrar(
            client,
            List.of(new BlockingHandler(type)),
            new JobDispatcher(outcomes, metrics, properties, inFlight),
            inFlight,
            properties,
            "drain-test");
    workers.start();
    CamundaFuture<ProcessInstanceResult> instance = startWithResult(type);
    assertThat(handlerStarted.await(30, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> stopped = CompletableFuture.runAsync(workers::stop);
    await().atMost(Duration.ofSeconds(10)).until(inFlight::isDraining);
    assertThat(stopped).isNotDone();
    releaseHandler.countDown();
    stopped.get(30, TimeUnit.SECONDS);

    assertThat(handlerInterrupted).isFalse();
    assertThat(ended(instance)).containsEntry("finished_while_draining", true);
    assertThat(workers.isRunning()).isFalse();
  }

  private CamundaFuture<ProcessInstanceResult> startWithResult(String type) {
    return OneTaskProcess.startWithResult(client, "drain-" + UUID.randomUUID(), type);
  }

  /** Holds its job until the test releases it, as a slow launch would. */
  private final class BlockingHandler implements JobHandler {

    private final String type;

    BlockingHandler(String type) {
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
      handlerStarted.countDown();
      try {
        if (!releaseHandler.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never released the handler");
        }
      } catch (InterruptedException e) {
        handlerInterrupted.set(true);
        Thread.currentThread().interrupt();
      }
      return JobOutcome.complete(Map.of("finished_while_draining", true));
    }
  }
}
