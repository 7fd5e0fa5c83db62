package dev.elasticagents.agent;

/**
 * An agent as GoCD's server-ping lists it.
 *
 * @param buildState GoCD's {@code build_state}: {@code Idle}, {@code Building}, {@code Cancelled}
 *     or {@code Unknown}
 */
public record GoCdAgent(String id, String buildState) {

  /** Whether GoCD runs no build on the agent: the job it was given is over, or never came. */
  public boolean idle() {
    return "Idle".equalsIgnoreCase(buildState);
  }
}
