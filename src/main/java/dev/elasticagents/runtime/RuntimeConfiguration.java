package dev.elasticagents.runtime;

import io.camunda.client.jobhandling.CamundaClientExecutorService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Beans of the worker runtime that are not components of their own. */
@Configuration(proxyBeanMethods = false)
class RuntimeConfiguration {

  @Bean
  RetryClock retryClock() {
    return RetryClock.system();
  }

  /**
   * Handlers run on virtual threads, as many at once as the workers have jobs active: a handler
   * that waits (a launch, the registry, a REST call) holds no platform thread, so a burst of
   * jobs is not queued behind a few. The client's own executor would run them on
   * {@code camunda.client.execution-threads} platform threads.
   */
  @Bean
  CamundaClientExecutorService camundaClientExecutorService(
      WorkerProperties properties, List<JobHandler> handlers, MeterRegistry meters) {
    int threads = Math.max(2, properties.maxJobsActive() * Math.max(1, handlers.size()) + 1);
    ScheduledExecutorService executor =
        Executors.newScheduledThreadPool(threads, Thread.ofVirtual().name("job-worker-", 0).factory());
    new ExecutorServiceMetrics(executor, "camundaClientExecutor", List.of(Tag.of("name", "job_workers")))
        .bindTo(meters);
    return new CamundaClientExecutorService(executor, true);
  }
}
