package dev.elasticagents.runtime;

import io.camunda.client.api.response.ActivatedJob;
import java.util.List;

/**
 * Decides the outcome of the jobs of one type. Handlers do the work and return an outcome; they
 * never talk to the cluster themselves. Handlers are called from several threads at once.
 */
public interface JobHandler {

  /** The job type this handler subscribes to, as in the model's task definition. */
  String jobType();

  /**
   * The variables the handler reads: the worker fetches only these, so that nothing else of the
   * process (a secret, a large payload) reaches the service.
   */
  List<String> fetchVariables();

  /**
   * Handles one activated job.
   *
   * @throws InvalidJobVariablesException when the job's variables cannot be read; the runtime fails
   *     the job without retries so that an operator sees the message in an incident
   */
  JobOutcome handle(ActivatedJob job);
}
