package dev.elasticagents.runtime;

import io.camunda.client.api.response.ActivatedJob;
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

  private final OutcomeSender sender;
  private final OutcomeMetrics metrics;
  private final WorkerProperties properties;
  private final JobsInFlight inFlight;

  public JobDispatcher(
      OutcomeSender sender,
      OutcomeMetrics metrics,
      WorkerProperties properties,
      JobsInFlight inFlight) {
    this.sender = sender;
    this.metrics = metrics;
    this.properties = properties;
    this.inFlight = inFlight;
  }

  /**
   * Handles one job and sends its outcome, unless the service is stopping: then the job is left to
   * Zeebe, which hands it out again when its timeout ends. Never throws: the worker thread must
   * survive.
   */
  public void dispatch(JobHandler handler, ActivatedJob activated) {
    JobRef job = JobRef.of(activated);
    if (!inFlight.tryStart()) {
      log.debug(
          "Left job {} of type '{}' to Zeebe: the service is stopping", job.key(), job.type());
      return;
    }
    try {
      sender.send(job, decide(handler, activated, job));
    } finally {
      inFlight.finished();
    }
  }

  private JobOutcome decide(JobHandler handler, ActivatedJob activated, JobRef job) {
    try {
      JobOutcome outcome = handler.handle(activated);
      metrics.decided(job, outcome, "handled");
      return outcome;
    } catch (InvalidJobVariablesException e) {
      log.warn(
          "Job {} of type '{}' has invalid variables, raising an incident: {}",
          job.key(),
          job.type(),
          e.problems());
      JobOutcome outcome =
          JobOutcome.Fail.incident(
              "Job of type '%s' cannot be handled because its variables are invalid: %s. Correct the process variables, then resolve this incident."
                  .formatted(job.type(), String.join("; ", e.problems())));
      metrics.decided(job, outcome, "invalid-variables");
      return outcome;
    } catch (RuntimeException e) {
      log.error("Handler for job {} of type '{}' failed", job.key(), job.type(), e);
      JobOutcome outcome =
          new JobOutcome.Fail(
              "Handler for job type '%s' failed: %s".formatted(job.type(), e),
              Math.max(job.retries() - 1, 0),
              properties.handlerErrorBackoff());
      metrics.decided(job, outcome, "handler-error");
      return outcome;
    }
  }
}
