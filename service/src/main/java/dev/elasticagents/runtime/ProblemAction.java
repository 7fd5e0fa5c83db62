package dev.elasticagents.runtime;

/** What the service does when the cluster does not accept an outcome. */
public enum ProblemAction {
  /** Send the outcome again after a back-off, within the attempts and the job's deadline. */
  RETRY,
  /** Fail the job instead, so that an incident (or Zeebe's own retry) shows the problem. */
  FAIL,
  /** Throw the configured BPMN error instead, for the model to handle. */
  BPMN_ERROR,
  /** Record the problem in logs and metrics and leave the job as the cluster has it. */
  IGNORE
}
