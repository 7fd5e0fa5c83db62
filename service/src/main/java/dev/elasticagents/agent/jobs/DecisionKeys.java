package dev.elasticagents.agent.jobs;

import dev.elasticagents.agent.DecisionKey;
import io.camunda.client.api.response.ActivatedJob;

/** The {@link DecisionKey} of an activated job: its job type and element instance. */
final class DecisionKeys {

  private DecisionKeys() {}

  /** The key of an activated job. */
  static DecisionKey of(ActivatedJob job) {
    return new DecisionKey(job.getType(), job.getElementInstanceKey());
  }
}
