package dev.elasticagents.runtime;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The one component that sends job outcomes to the cluster. When the cluster does not accept an
 * outcome, the job type's {@link ProblemPolicy} decides: send it again after a back-off, fail the
 * job, throw a BPMN error, or record the problem and leave the job as it is. A fallback outcome is
 * sent once and never falls back again, so no problem can loop.
 */
@Component
public class OutcomeSender {

  private static final Logger log = LoggerFactory.getLogger(OutcomeSender.class);

  private final RestCommands commands;
  private final ProblemPolicies policies;
  private final OutcomeMetrics metrics;
  private final ClusterCredentialsHealthIndicator credentials;
  private final RetryClock clock;

  public OutcomeSender(
      RestCommands commands,
      ProblemPolicies policies,
      OutcomeMetrics metrics,
      ClusterCredentialsHealthIndicator credentials,
      RetryClock clock) {
    this.commands = commands;
    this.policies = policies;
    this.metrics = metrics;
    this.credentials = credentials;
    this.clock = clock;
  }

  /** Sends the outcome and applies the policy to any problem; never throws. */
  public void send(JobRef job, JobOutcome outcome) {
    attempt(job, outcome).ifPresent(problem -> applyPolicy(job, outcome, problem));
  }

  /**
   * Makes the first attempt to send the outcome without waiting for the answer. The stage completes
   * with the problem, if the cluster did not accept it, once the attempt is recorded; the caller
   * then hands that problem to {@link #applyPolicy}, which may wait and send again. It never
   * completes exceptionally.
   */
  CompletionStage<Optional<Problem>> firstAttempt(JobRef job, JobOutcome outcome) {
    long start = System.nanoTime();
    return commands
        .sendAsync(job.key(), outcome)
        .thenApply(problem -> recorded(job, outcome, problem, start));
  }

  /**
   * Applies the policy to the problem the first attempt met: sends again after back-offs, falls
   * back or gives up. It blocks while it waits; never throws.
   */
  void applyPolicy(JobRef job, JobOutcome outcome, Problem first) {
    ProblemPolicy policy = policies.forJobType(job.type());
    int attempt = 1;
    Optional<Problem> problem = Optional.of(first);
    while (problem.isPresent()) {
      Optional<Duration> wait = react(job, outcome, problem.get(), policy, attempt);
      if (wait.isEmpty() || !pause(job, wait.get())) {
        return;
      }
      attempt++;
      problem = attempt(job, outcome);
    }
  }

  private Optional<Problem> attempt(JobRef job, JobOutcome outcome) {
    long start = System.nanoTime();
    return recorded(job, outcome, commands.send(job.key(), outcome), start);
  }

  private Optional<Problem> recorded(
      JobRef job, JobOutcome outcome, Optional<Problem> problem, long start) {
    Duration latency = Duration.ofNanos(System.nanoTime() - start);
    metrics.attempted(job, outcome, problem.map(Problem::status).orElse("204"), latency);
    problem.ifPresentOrElse(
        found -> checkCredentials(job, outcome, found),
        () -> {
          credentials.accepted();
          log.debug(
              "Sent {} for job {} of type '{}' over REST", outcome.kind(), job.key(), job.type());
        });
    return problem;
  }

  /** Applies the policy; returns the wait before the next attempt, or empty when done. */
  private Optional<Duration> react(
      JobRef job, JobOutcome outcome, Problem problem, ProblemPolicy policy, int attempt) {
    ProblemAction action = policy.actionFor(problem);
    metrics.problem(job, outcome, problem, action.name().toLowerCase());
    switch (action) {
      case RETRY -> {
        Optional<Duration> wait = nextWait(policy.retry(), attempt, job);
        if (wait.isPresent()) {
          metrics.retried(job, outcome, problem);
          log.warn(
              "Cluster answered {} to {} for job {} of type '{}' (attempt {}), retrying in {} ms",
              problem.summary(),
              outcome.kind(),
              job.key(),
              job.type(),
              attempt,
              wait.get().toMillis());
          return wait;
        }
        metrics.exhausted(job, outcome, problem);
        log.warn(
            "Cluster answered {} to {} for job {} of type '{}'; giving up after {} attempt(s),"
                + " failing the job for Zeebe to redeliver",
            problem.summary(),
            outcome.kind(),
            job.key(),
            job.type(),
            attempt);
        fallback(job, redelivery(job, outcome, problem, attempt, policy.retry()));
      }
      case FAIL -> {
        log.warn(
            "Cluster answered {} to {} for job {} of type '{}'; failing the job",
            problem.summary(),
            outcome.kind(),
            job.key(),
            job.type());
        fallback(
            job,
            problem.isTransient()
                ? redelivery(job, outcome, problem, attempt, policy.retry())
                : JobOutcome.Fail.incident(rejection(outcome, problem)));
      }
      case BPMN_ERROR -> {
        log.warn(
            "Cluster answered {} to {} for job {} of type '{}'; throwing BPMN error '{}'",
            problem.summary(),
            outcome.kind(),
            job.key(),
            job.type(),
            policy.errorCode());
        fallback(
            job,
            new JobOutcome.ThrowError(policy.errorCode(), rejection(outcome, problem), Map.of()));
      }
      case IGNORE ->
          log.info(
              "Cluster answered {} to {} for job {} of type '{}'; leaving the job as the cluster"
                  + " has it",
              problem.summary(),
              outcome.kind(),
              job.key(),
              job.type());
    }
    return Optional.empty();
  }

  private Optional<Duration> nextWait(RetryPolicy retry, int attempt, JobRef job) {
    if (attempt >= retry.maxAttempts()) {
      return Optional.empty();
    }
    Duration wait = jittered(retry.backoffAfter(attempt), retry.jitter());
    // Past the deadline Zeebe may hand the job to another worker: let it.
    return clock.now().plus(wait).isBefore(job.deadline()) ? Optional.of(wait) : Optional.empty();
  }

  private static Duration jittered(Duration backoff, double jitter) {
    double factor = 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
    return Duration.ofMillis(Math.round(backoff.toMillis() * factor));
  }

  private boolean pause(JobRef job, Duration wait) {
    try {
      clock.sleep(wait);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.info(
          "Stopped retrying job {} of type '{}': the service is stopping", job.key(), job.type());
      return false;
    }
  }

  /** Sends a fallback outcome once; its own problems are recorded, never acted on. */
  private void fallback(JobRef job, JobOutcome fallback) {
    attempt(job, fallback)
        .ifPresent(
            problem -> {
              metrics.problem(job, fallback, problem, "none");
              log.warn(
                  "Cluster answered {} to the fallback {} for job {} of type '{}'; the job stays as"
                      + " the cluster has it",
                  problem.summary(),
                  fallback.kind(),
                  job.key(),
                  job.type());
            });
  }

  private void checkCredentials(JobRef job, JobOutcome outcome, Problem problem) {
    if (problem instanceof Problem.Unauthorized unauthorized) {
      if (credentials.rejected(unauthorized)) {
        log.error(
            "{} (answered {} to {} for job {} of type '{}'). Jobs stay with the cluster until the"
                + " credentials are fixed.",
            ClusterCredentialsHealthIndicator.credentialsMessage(unauthorized),
            problem.summary(),
            outcome.kind(),
            job.key(),
            job.type());
      }
    } else if (!problem.isTransient() && credentials.accepted()) {
      log.info("The cluster accepts this service's credentials again");
    }
  }

  private static JobOutcome.Fail redelivery(
      JobRef job, JobOutcome outcome, Problem problem, int attempts, RetryPolicy retry) {
    return new JobOutcome.Fail(
        "Could not %s this job after %d attempt(s): the cluster answered %s%s. Zeebe redelivers it after %s."
            .formatted(
                outcome.kind(),
                attempts,
                problem.summary(),
                detail(problem),
                retry.redeliveryBackoff()),
        Math.max(job.retries() - 1, 0),
        retry.redeliveryBackoff());
  }

  private static String rejection(JobOutcome outcome, Problem problem) {
    return "The cluster rejected the %s of this job with %s%s"
        .formatted(outcome.kind(), problem.summary(), detail(problem));
  }

  private static String detail(Problem problem) {
    return problem.detail().isBlank() ? "" : ": " + problem.detail();
  }
}
