package dev.elasticagents.runtime;

import io.camunda.client.api.response.ActivatedJob;
import java.time.Instant;

/**
 * The activated job an outcome is sent for.
 *
 * @param retries the retries the job had when it was activated
 * @param deadline when the job's activation times out and Zeebe may hand it to another worker
 */
public record JobRef(long key, String type, int retries, Instant deadline) {

  /** The reference to an activated job. */
  public static JobRef of(ActivatedJob job) {
    return new JobRef(
        job.getKey(), job.getType(), job.getRetries(), Instant.ofEpochMilli(job.getDeadline()));
  }
}
