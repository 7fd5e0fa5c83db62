package dev.elasticagents.agent;

import java.util.Objects;

/**
 * Why an agent is terminated: the kind, for metrics, and the reason as logs, the registry, status
 * reports and process variables show it. Both are given where the termination is decided, so the
 * kind is never guessed from the text.
 */
public record Termination(TerminationKind kind, String reason) {

  public Termination {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(reason, "reason");
  }
}
