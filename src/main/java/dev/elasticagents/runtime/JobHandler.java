package dev.elasticagents.runtime;

import io.camunda.client.api.response.ActivatedJob;

/**
 * Decides the outcome of the jobs of one type. Handlers do the work and return an outcome; they
 * never talk to the cluster themselves. Handlers are called from several threads at once.
 */
public interface JobHandler {

  /** The job type this handler subscribes to, as in the model's task definition. */
  String jobType();

  /**
   * Handles one activated job.
   *
   * @throws InvalidJobVariablesException when the job's variables cannot be read; the runtime
   *     fails the job without retries so that an operator sees the message in an incident
   */
  JobOutcome handle(ActivatedJob job);
}
