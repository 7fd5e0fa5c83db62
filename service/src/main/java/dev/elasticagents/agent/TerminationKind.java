package dev.elasticagents.agent;

/**
 * Why an agent is terminated, as a handful of kinds: the value of the {@code reason} tag of {@code
 * elastic_agents_terminations_total}. The reasons themselves name durations and jobs, too many
 * values for a metric, so each termination carries its kind from where it is decided.
 */
public enum TerminationKind {
  /** Its job completed and the agent is not kept for reuse. */
  JOB_COMPLETED("job-completed"),
  /** Its job ran past the maximum build duration. */
  BUILD_OVERRAN("build-overran"),
  /** It stayed idle longer than its profile's idle timeout. */
  IDLE_TIMEOUT("idle-timeout"),
  /** It did not register with the GoCD server within the auto-register timeout. */
  NEVER_REGISTERED("never-registered"),
  /** The provider could not launch it. */
  LAUNCH_FAILED("launch-failed"),
  /** What the provider ran of it is gone, or was never started. */
  GONE("gone"),
  /** A termination whose claimer could not finish it was taken over. */
  TAKEN_OVER("taken-over"),
  /** What the provider ran of an agent the registry does not hold live. */
  UNKNOWN("unknown"),
  /** Any other reason. */
  OTHER("other");

  private final String tag;

  TerminationKind(String tag) {
    this.tag = tag;
  }

  /** The value of the metric's {@code reason} tag. */
  public String tag() {
    return tag;
  }
}
