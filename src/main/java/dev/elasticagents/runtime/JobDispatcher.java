package dev.elasticagents.runtime;

import io.camunda.client.api.response.ActivatedJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs a handler on an activated job and sends what it decided. A handler that cannot read its
 * variables fails the job without retries (an incident with a readable message); a handler that
 * breaks unexpectedly fails it with one retry fewer, so Zeebe redelivers it after a back-off.
 */
@Component
public class JobDispatcher {

  private static final Logger log = LoggerFactory.getLogger(JobDispatcher.class);

  private final JobOutcomeSender sender;
  private final WorkerProperties properties;
  private final MeterRegistry meters;

  public JobDispatcher(JobOutcomeSender sender, WorkerProperties properties, MeterRegistry meters) {
    this.sender = sender;
    this.properties = properties;
    this.meters = meters;
  }

  /** Handles one job and sends its outcome. Never throws: the worker thread must survive. */
  public void dispatch(JobHandler handler, ActivatedJob job) {
    JobOutcome outcome = decide(handler, job);
    sender.send(job, outcome);
  }

  private JobOutcome decide(JobHandler handler, ActivatedJob job) {
    try {
      JobOutcome outcome = handler.handle(job);
      count(job, JobOutcomeSender.kind(outcome), "handled");
      return outcome;
    } catch (InvalidJobVariablesException e) {
      log.warn(
          "Job {} of type '{}' has invalid variables, raising an incident: {}",
          job.getKey(),
          job.getType(),
          e.problems());
      count(job, "fail", "invalid-variables");
      return JobOutcome.Fail.incident(
          "Job of type '%s' cannot be handled because its variables are invalid: %s. Correct the process variables, then resolve this incident."
              .formatted(job.getType(), String.join("; ", e.problems())));
    } catch (RuntimeException e) {
      log.error("Handler for job {} of type '{}' failed", job.getKey(), job.getType(), e);
      count(job, "fail", "handler-error");
      return new JobOutcome.Fail(
          "Handler for job type '%s' failed: %s".formatted(job.getType(), e),
          Math.max(job.getRetries() - 1, 0),
          properties.handlerErrorBackoff());
    }
  }

  private void count(ActivatedJob job, String outcome, String cause) {
    Counter.builder("zeebe.worker.jobs")
        .description("Jobs handled, by the outcome their handler decided")
        .tag("type", job.getType())
        .tag("outcome", outcome)
        .tag("cause", cause)
        .register(meters)
        .increment();
  }
}
