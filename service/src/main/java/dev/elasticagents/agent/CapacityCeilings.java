package dev.elasticagents.agent;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The most agents a cluster profile may run and start at once, whatever its {@code
 * cluster_profile_properties} ask for: those come with the request, so anyone who can start a
 * lifecycle or edit a cluster profile sets them, while these are the operator's. Only an approved
 * capacity override goes past them.
 *
 * @param maxRunningAgents the ceiling of {@code max_running_agents} for cluster profiles without
 *     their own
 * @param maxPendingAgents the ceiling of {@code max_pending_agents} for cluster profiles without
 *     their own
 * @param clusterProfiles ceilings of single cluster profiles, by cluster profile id; ids match
 *     regardless of case, as GoCD compares them (and as environment variables lose it)
 */
@ConfigurationProperties("elastic-agents.capacity-ceilings")
public record CapacityCeilings(
    @DefaultValue("50") int maxRunningAgents,
    @DefaultValue("20") int maxPendingAgents,
    Map<String, ClusterProfileCeiling> clusterProfiles) {

  private static final String PREFIX = "elastic-agents.capacity-ceilings.";

  public CapacityCeilings {
    positive(PREFIX + "max-running-agents", maxRunningAgents);
    positive(PREFIX + "max-pending-agents", maxPendingAgents);
    clusterProfiles = byLowerCaseId(clusterProfiles == null ? Map.of() : clusterProfiles);
  }

  /** The ceiling of one cluster profile: its own where it has one, the default otherwise. */
  public Ceiling of(String clusterProfileId) {
    ClusterProfileCeiling own =
        clusterProfiles.getOrDefault(
            clusterProfileId.toLowerCase(Locale.ROOT), ClusterProfileCeiling.NONE);
    return new Ceiling(
        Optional.ofNullable(own.maxRunningAgents()).orElse(maxRunningAgents),
        Optional.ofNullable(own.maxPendingAgents()).orElse(maxPendingAgents),
        Optional.ofNullable(own.maxRunningAgents())
            .map(limit -> PREFIX + "cluster-profiles." + clusterProfileId + ".max-running-agents")
            .orElse(PREFIX + "max-running-agents"),
        Optional.ofNullable(own.maxPendingAgents())
            .map(limit -> PREFIX + "cluster-profiles." + clusterProfileId + ".max-pending-agents")
            .orElse(PREFIX + "max-pending-agents"));
  }

  /**
   * The ceiling that applies to one cluster profile, with the property that sets each value.
   *
   * @param runningSetBy the property that sets {@code maxRunningAgents}
   * @param pendingSetBy the property that sets {@code maxPendingAgents}
   */
  public record Ceiling(
      int maxRunningAgents, int maxPendingAgents, String runningSetBy, String pendingSetBy) {}

  /**
   * The ceilings of one cluster profile; what it leaves out (null) takes the default.
   *
   * @param maxRunningAgents the ceiling of its {@code max_running_agents}
   * @param maxPendingAgents the ceiling of its {@code max_pending_agents}
   */
  public record ClusterProfileCeiling(Integer maxRunningAgents, Integer maxPendingAgents) {

    static final ClusterProfileCeiling NONE = new ClusterProfileCeiling(null, null);

    public ClusterProfileCeiling {
      if (maxRunningAgents != null) {
        positive("max-running-agents", maxRunningAgents);
      }
      if (maxPendingAgents != null) {
        positive("max-pending-agents", maxPendingAgents);
      }
    }
  }

  private static void positive(String property, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(property + " must be at least 1: " + value);
    }
  }

  /**
   * The map keyed by lower-case id. Two ids that differ only in case would be one cluster profile
   * to GoCD with two ceilings: which one applies must not depend on the order of a map.
   */
  private static Map<String, ClusterProfileCeiling> byLowerCaseId(
      Map<String, ClusterProfileCeiling> ceilings) {
    Map<String, ClusterProfileCeiling> byId = new LinkedHashMap<>();
    Map<String, String> spelling = new HashMap<>();
    ceilings.forEach(
        (id, ceiling) -> {
          String key = id.toLowerCase(Locale.ROOT);
          String other = spelling.putIfAbsent(key, id);
          if (other != null) {
            throw new IllegalArgumentException(
                "%scluster-profiles has ceilings for '%s' and '%s', which GoCD takes for one cluster profile: keep one"
                    .formatted(PREFIX, other, id));
          }
          byId.put(key, ceiling == null ? ClusterProfileCeiling.NONE : ceiling);
        });
    return Map.copyOf(byId);
  }
}
