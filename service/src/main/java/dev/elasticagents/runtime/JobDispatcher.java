package dev.elasticagents.runtime;

import io.camunda.client.api.response.ActivatedJob;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs a handler on an activated job and hands what it decided to {@link OutcomesInFlight}, which
 * sends it while the handler's thread returns and frees the job's slot in its worker. A handler
 * that cannot read its variables fails the job without retries (an incident with a readable
 * message); a handler that breaks unexpectedly fails it with one retry fewer, so Zeebe redelivers
 * it after a back-off.
 */
@Component
public class JobDispatcher {

  private static final Logger log = LoggerFactory.getLogger(JobDispatcher.class);

  private final OutcomesInFlight outcomes;
  private final OutcomeMetrics metrics;
  private final WorkerProperties properties;
  private final JobsInFlight inFlight;

  public JobDispatcher(
      OutcomesInFlight outcomes,
      OutcomeMetrics metrics,
      WorkerProperties properties,
      JobsInFlight inFlight) {
    this.outcomes = outcomes;
    this.metrics = metrics;
    this.properties = properties;
    this.inFlight = inFlight;
  }

  /**
   * Handles one job and has its outcome sent; returns once the handler has decided, before the
   * outcome is sent. It first waits for a permit to send an outcome: while sends are stuck (the
   * cluster pushes back), the job's slot stays taken and the worker activates no more jobs. The job
   * is left to Zeebe, which hands it out again when its timeout ends, when the service stops, when
   * the wait is interrupted (the client closes) or when no permit came before the job's deadline.
   * The job counts in {@link JobsInFlight} from its handler's start until its outcome was sent, so
   * that a drain waits for the send too. Never throws: the worker thread must survive.
   */
  public void dispatch(JobHandler handler, ActivatedJob activated) {
    JobRef job = JobRef.of(activated);
    Optional<OutcomesInFlight.Permit> taken;
    try {
      taken = outcomes.take(job);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.debug(
          "Left job {} of type '{}' to Zeebe: interrupted while waiting to send an outcome",
          job.key(),
          job.type());
      return;
    }
    if (taken.isEmpty()) {
      log.info(
          "Left job {} of type '{}' to Zeebe: outcomes of other jobs were still being sent when its"
              + " deadline came",
          job.key(),
          job.type());
      return;
    }
    OutcomesInFlight.Permit permit = taken.get();
    if (!inFlight.tryStart()) {
      permit.giveBack();
      log.debug(
          "Left job {} of type '{}' to Zeebe: the service is stopping", job.key(), job.type());
      return;
    }
    boolean handedOver = false;
    try {
      JobOutcome outcome = decide(handler, activated, job);
      // From here the outcome is sent asynchronously: the handler's thread returns before it is
      // sent. A completion lost all the same (the service dies first, the cluster never answers,
      // the policy gives up) is safe: the handler's decision is recorded before it returns, so
      // the job's redelivery replays it rather than deciding again.
      permit.send(outcome, inFlight::finished);
      handedOver = true;
    } finally {
      if (!handedOver) {
        permit.giveBack();
        inFlight.finished();
      }
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
