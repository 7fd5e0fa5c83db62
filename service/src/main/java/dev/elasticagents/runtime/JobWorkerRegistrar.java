package dev.elasticagents.runtime;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.worker.JobWorker;
import io.camunda.client.api.worker.JobWorkerMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Opens one job worker per {@link JobHandler} when the application starts and drains them when it
 * stops: the workers stop activating jobs, the handlers that run finish and send their outcomes
 * within {@code job-workers.shutdown-grace-period}, and jobs activated but not started are left to
 * Zeebe. Only then does the client close. Workers activate jobs over gRPC, streaming with polling
 * as the fallback, and fetch only the variables their handler reads. {@code
 * job-workers.enabled=false} runs the service without workers.
 *
 * <p>Its phase is the last to start and the first to stop, so that whatever must be ready before
 * jobs arrive (the registry reconciled with the agents that run) is, and the web server still
 * answers health checks while the workers drain.
 */
@Component
@ConditionalOnProperty(name = "job-workers.enabled", havingValue = "true", matchIfMissing = true)
public class JobWorkerRegistrar implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(JobWorkerRegistrar.class);

  private final CamundaClient client;
  private final Map<String, JobHandler> handlersByType;

  /** The phase the workers open in; start-up work that must precede jobs uses a lower one. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE;

  private final JobDispatcher dispatcher;
  private final JobsInFlight inFlight;
  private final WorkerProperties properties;
  private final String workerName;

  // Only the lifecycle thread replaces this list; volatile publishes it to isRunning() callers.
  private volatile List<JobWorker> workers = List.of();

  public JobWorkerRegistrar(
      CamundaClient client,
      List<JobHandler> handlers,
      JobDispatcher dispatcher,
      JobsInFlight inFlight,
      WorkerProperties properties,
      @Value("${spring.application.name:job-workers}") String workerName) {
    this.client = client;
    this.handlersByType = byType(handlers);
    this.dispatcher = dispatcher;
    this.inFlight = inFlight;
    this.properties = properties;
    this.workerName = workerName;
  }

  private static Map<String, JobHandler> byType(List<JobHandler> handlers) {
    return handlers.stream()
        .collect(
            Collectors.toUnmodifiableMap(
                JobHandler::jobType,
                Function.identity(),
                (first, second) -> {
                  throw new IllegalStateException(
                      "Two handlers subscribe to job type '%s': %s and %s"
                          .formatted(
                              first.jobType(),
                              first.getClass().getName(),
                              second.getClass().getName()));
                }));
  }

  @Override
  public void start() {
    inFlight.open();
    workers = handlersByType.values().stream().map(this::open).toList();
    log.info(
        "Opened job workers for types {} (stream {}, activation over gRPC, outcomes over REST)",
        handlersByType.keySet(),
        properties.streamEnabled() ? "enabled" : "disabled");
  }

  private JobWorker open(JobHandler handler) {
    return client
        .newWorker()
        .jobType(handler.jobType())
        .handler((jobClient, job) -> dispatcher.dispatch(handler, job))
        .fetchVariables(handler.fetchVariables())
        .name(workerName)
        .timeout(properties.timeout())
        .maxJobsActive(properties.maxJobsActive())
        .pollInterval(properties.pollInterval())
        .streamEnabled(properties.streamEnabled())
        .metrics(
            new JobWorkerMetrics() {
              @Override
              public void jobActivated(int count) {
                inFlight.activated(count);
              }
            })
        .open();
  }

  /** Drains the workers; blocks up to the grace period, which the shutdown phase allows for. */
  @Override
  public void stop() {
    List<JobWorker> open = workers;
    workers = List.of();
    open.forEach(JobWorker::close);
    Duration grace = properties.shutdownGracePeriod();
    try {
      JobsInFlight.Drain drain = inFlight.drain(grace);
      log.info(
          "Drained job workers in {} ms: {} handler(s) finished and sent their outcomes, {}"
              + " activated job(s) handed back to Zeebe (they return when their timeout ends), {}"
              + " handler(s) still running when the grace period of {} s ended",
          drain.took().toMillis(),
          drain.finished(),
          drain.handedBack(),
          drain.stillRunning(),
          grace.toSeconds());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn(
          "Stopped draining job workers: interrupted with {} handler(s) running",
          inFlight.running());
    }
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  @Override
  public boolean isRunning() {
    return !workers.isEmpty();
  }
}
