package dev.elasticagents.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.springframework.stereotype.Component;

/** Records what happened to each outcome, tagged with job type, outcome and HTTP status. */
@Component
public class OutcomeMetrics {

  private final MeterRegistry meters;

  public OutcomeMetrics(MeterRegistry meters) {
    this.meters = meters;
  }

  /** A handler's decision, before it is sent; {@code cause} says why a job fails. */
  void decided(JobRef job, JobOutcome outcome, String cause) {
    meters.counter("zeebe.worker.jobs", tags(job, outcome).and("cause", cause)).increment();
  }

  /** One attempt to send an outcome, answered with {@code status} after {@code latency}. */
  void attempted(JobRef job, JobOutcome outcome, String status, Duration latency) {
    Timer.builder("zeebe.worker.outcome.sent")
        .description("Attempts to send a job outcome over REST, by the status the cluster answered")
        .tags(tags(job, outcome).and("status", status))
        .register(meters)
        .record(latency);
  }

  /** A problem the cluster answered, and the action the policy chose. */
  void problem(JobRef job, JobOutcome outcome, Problem problem, String action) {
    meters
        .counter(
            "zeebe.worker.outcome.problems",
            tags(job, outcome, problem).and("problem", problem.kind()).and("action", action))
        .increment();
  }

  /** An outcome sent again after a back-off. */
  void retried(JobRef job, JobOutcome outcome, Problem problem) {
    meters.counter("zeebe.worker.outcome.retries", tags(job, outcome, problem)).increment();
  }

  /** An outcome whose attempts or deadline ran out. */
  void exhausted(JobRef job, JobOutcome outcome, Problem problem) {
    meters.counter("zeebe.worker.outcome.exhausted", tags(job, outcome, problem)).increment();
  }

  private static Tags tags(JobRef job, JobOutcome outcome) {
    return Tags.of("type", job.type(), "outcome", outcome.kind());
  }

  private static Tags tags(JobRef job, JobOutcome outcome, Problem problem) {
    return tags(job, outcome).and("status", problem.status());
  }
}
