package dev.elasticagents.runtime;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.worker.JobWorker;
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
 * Opens one job worker per {@link JobHandler} when the application starts and closes them when it
 * stops. Workers activate jobs over gRPC, streaming with polling as the fallback, and fetch only
 * the variables their handler reads. {@code job-workers.enabled=false} runs the service without
 * workers.
 */
@Component
@ConditionalOnProperty(name = "job-workers.enabled", havingValue = "true", matchIfMissing = true)
public class JobWorkerRegistrar implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(JobWorkerRegistrar.class);

  private final CamundaClient client;
  private final Map<String, JobHandler> handlersByType;
  private final JobDispatcher dispatcher;
  private final WorkerProperties properties;
  private final String workerName;

  // Only the lifecycle thread replaces this list; volatile publishes it to isRunning() callers.
  private volatile List<JobWorker> workers = List.of();

  public JobWorkerRegistrar(
      CamundaClient client,
      List<JobHandler> handlers,
      JobDispatcher dispatcher,
      WorkerProperties properties,
      @Value("${spring.application.name:job-workers}") String workerName) {
    this.client = client;
    this.handlersByType = byType(handlers);
    this.dispatcher = dispatcher;
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
        .open();
  }

  @Override
  public void stop() {
    List<JobWorker> open = workers;
    workers = List.of();
    open.forEach(JobWorker::close);
  }

  @Override
  public boolean isRunning() {
    return !workers.isEmpty();
  }
}
