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
    @DefaultValue("32") int maxJobsActive,
    @DefaultValue("true") boolean streamEnabled,
    @DefaultValue("PT1S") Duration pollInterval,
    @DefaultValue("PT10S") Duration requestTimeout,
    @DefaultValue("PT10S") Duration handlerErrorBackoff,
    @DefaultValue("PT30S") Duration shutdownGracePeriod,
    @DefaultValue ProblemPolicy problemPolicy,
    Map<String, JobTypeProperties> jobTypes) {

  public WorkerProperties {
    jobTypes = jobTypes == null ? Map.of() : Map.copyOf(jobTypes);
  }

  /** Settings of one job type; a setting left out (null) keeps the value for every job type. */
  public record JobTypeProperties(ProblemPolicy.Override problemPolicy) {}
}
