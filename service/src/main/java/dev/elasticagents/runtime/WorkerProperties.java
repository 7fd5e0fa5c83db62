package dev.elasticagents.runtime;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the job workers activate jobs (over gRPC) and send outcomes (over REST).
 *
 * @param enabled whether the service opens its job workers; without them it only serves its
 *     endpoints
 * @param timeout how long an activated job stays locked to this worker before Zeebe redelivers it
 * @param maxJobsActive how many jobs one worker holds at a time
 * @param maxOutcomesInFlight how many outcomes, of all workers, may be on their way to the cluster
 *     at once. Outcomes are sent off the handlers' threads, so that a slow send holds no job slot;
 *     a job takes its place in this bound before its handler runs, so while the cluster pushes back
 *     and sends wait in their back-offs, handlers wait with their jobs' slots taken and the workers
 *     stop activating jobs rather than decide what cannot be sent. It also bounds the handlers that
 *     run at once, over all workers. At least 1
 * @param streamEnabled whether jobs are pushed over a gRPC stream; polling remains as a fallback
 * @param pollInterval how often the worker polls when the stream brings nothing
 * @param requestTimeout how long one REST call that sends an outcome may take
 * @param handlerErrorBackoff how long Zeebe waits before redelivering a job whose handler failed
 *     unexpectedly
 * @param shutdownGracePeriod how long a stopping service waits for running handlers to finish and
 *     send their outcomes before it closes the client; {@code
 *     spring.lifecycle.timeout-per-shutdown-phase} and the platform's termination grace period must
 *     allow for it
 * @param problemPolicy what to do when the cluster does not accept an outcome, for every job type
 * @param jobTypes settings of single job types that differ from the ones above
 */
@ConfigurationProperties("job-workers")
public record WorkerProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("PT5M") Duration timeout,
    @DefaultValue("64") int maxJobsActive,
    @DefaultValue("128") int maxOutcomesInFlight,
    @DefaultValue("true") boolean streamEnabled,
    @DefaultValue("PT1S") Duration pollInterval,
    @DefaultValue("PT10S") Duration requestTimeout,
    @DefaultValue("PT10S") Duration handlerErrorBackoff,
    @DefaultValue("PT30S") Duration shutdownGracePeriod,
    @DefaultValue ProblemPolicy problemPolicy,
    Map<String, JobTypeProperties> jobTypes) {

  public WorkerProperties {
    if (maxOutcomesInFlight < 1) {
      throw new IllegalArgumentException(
          "max-outcomes-in-flight must be at least 1, got " + maxOutcomesInFlight);
    }
    jobTypes = jobTypes == null ? Map.of() : Map.copyOf(jobTypes);
  }

  /** Settings of one job type; a setting left out (null) keeps the value for every job type. */
  public record JobTypeProperties(ProblemPolicy.Override problemPolicy) {}
}
