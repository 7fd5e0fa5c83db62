package dev.elasticagents.agent.lifecycle;

import java.util.List;
import java.util.Map;

/**
 * The kind of a termination's reason, for the {@code reason} tag of {@code
 * elastic_agents_terminations_total}: the reasons themselves name durations and jobs, too many
 * values for a metric. A reason of no known kind counts as {@code other}.
 */
final class TerminationReason {

  /** Reason texts by how they start, and the kind they are. */
  private static final List<Map.Entry<String, String>> KINDS =
      List.of(
          Map.entry("job completed", "job-completed"),
          Map.entry("its job ran longer than", "build-overran"),
          Map.entry("busy longer than", "build-overran"),
          Map.entry("idle longer than", "idle-timeout"),
          Map.entry("never registered within", "never-registered"),
          Map.entry("launch failed", "launch-failed"),
          Map.entry("agent is no longer running", "gone"),
          Map.entry("its process was gone", "gone"),
          Map.entry("its launch never happened", "gone"),
          Map.entry("termination handed over", "taken-over"),
          Map.entry("termination did not finish", "taken-over"),
          Map.entry("termination cut short", "taken-over"));

  /**
   * The kind of a termination of what the provider ran of an agent the registry does not hold live.
   */
  static final String UNKNOWN = "unknown";

  private TerminationReason() {}

  static String kindOf(String reason) {
    return KINDS.stream()
        .filter(kind -> reason.startsWith(kind.getKey()))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse("other");
  }
}
