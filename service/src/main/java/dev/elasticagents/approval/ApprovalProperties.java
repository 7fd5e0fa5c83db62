package dev.elasticagents.approval;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The approval policy: who may decide on elastic agent requests, which profile properties an
 * approval may allow, and how many agents an approved override may bring a cluster profile to.
 *
 * @param groups the members of each approver group, by group name
 * @param defaults the policy of environments without their own, and of what theirs leave out
 * @param environments the policy of single GoCD environments, by environment name
 * @param maxRunningAgents the most agents an approved override may bring a cluster profile to, for
 *     cluster profiles without their own limit
 * @param clusterProfiles limits of single cluster profiles, by cluster profile id
 */
@ConfigurationProperties("approvals")
public record ApprovalProperties(
    Map<String, List<String>> groups,
    @DefaultValue EnvironmentPolicy defaults,
    Map<String, EnvironmentPolicy> environments,
    @DefaultValue("10") int maxRunningAgents,
    Map<String, ClusterProfilePolicy> clusterProfiles) {

  /** The approver group of an installation that configures none. */
  public static final String DEFAULT_APPROVER_GROUP = "agent-approvers";

  private static final EnvironmentPolicy BUILT_IN =
      new EnvironmentPolicy(List.of(DEFAULT_APPROVER_GROUP), Map.of(), null, null);

  public ApprovalProperties {
    groups = groups == null ? Map.of() : ignoringCase("approvals.groups", copyOfLists(groups));
    defaults = (defaults == null ? EnvironmentPolicy.NONE : defaults).orElse(BUILT_IN);
    environments =
        environments == null ? Map.of() : ignoringCase("approvals.environments", environments);
    if (maxRunningAgents < 0) {
      throw new IllegalArgumentException(
          "approvals.max-running-agents must not be negative: " + maxRunningAgents);
    }
    clusterProfiles =
        clusterProfiles == null
            ? Map.of()
            : ignoringCase("approvals.cluster-profiles", clusterProfiles);
  }

  /**
   * The map with keys that match regardless of case. GoCD compares environment names and profile
   * ids regardless of case, and keys bound from environment variables arrive in lower case: a
   * stricter policy for {@code Production} must not silently fall back to the defaults.
   */
  private static <V> Map<String, V> ignoringCase(String property, Map<String, V> map) {
    TreeMap<String, V> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    map.forEach(
        (name, value) -> {
          if (byName.containsKey(name)) {
            throw new IllegalArgumentException(
                "%s names '%s' twice (names match regardless of case)".formatted(property, name));
          }
          byName.put(name, value);
        });
    return Collections.unmodifiableMap(byName);
  }

  /** The policy of one environment, completed with the defaults. */
  public EnvironmentPolicy policyFor(String environment) {
    return environments.getOrDefault(environment, EnvironmentPolicy.NONE).orElse(defaults);
  }

  /** The most agents an approved override may bring this cluster profile to. */
  public int maxRunningAgents(String clusterProfileId) {
    ClusterProfilePolicy profile = clusterProfiles.get(clusterProfileId);
    return profile == null || profile.maxRunningAgents() == null
        ? maxRunningAgents
        : profile.maxRunningAgents();
  }

  /** Whether the user belongs to any of these groups. */
  public boolean isMember(String user, List<String> groupNames) {
    return groupNames.stream()
        .anyMatch(group -> groups.getOrDefault(group, List.of()).contains(user));
  }

  /**
   * How approvals go in one environment. A setting left out (null) takes the default.
   *
   * @param approverGroups groups whose members may be assigned the task and decide on it; an
   *     assignment approved by the listener also makes them the task's candidate groups
   * @param allowedProperties for each elastic agent profile property that is restricted, the
   *     regular expressions one of which an approved request's value must match in full; names
   *     match regardless of case
   * @param priority the priority an approved assignment gives the task (0 to 100)
   * @param dueIn the due date the first approved assignment gives the task, counted from then
   */
  public record EnvironmentPolicy(
      List<String> approverGroups,
      Map<String, List<String>> allowedProperties,
      Integer priority,
      Duration dueIn) {

    static final EnvironmentPolicy NONE = new EnvironmentPolicy(null, null, null, null);

    public EnvironmentPolicy {
      approverGroups = approverGroups == null ? null : List.copyOf(approverGroups);
      allowedProperties = allowedProperties == null ? null : copyOfLists(allowedProperties);
      if (allowedProperties != null) {
        allowedProperties.forEach(EnvironmentPolicy::checkPatterns);
      }
      if (priority != null && (priority < 0 || priority > 100)) {
        throw new IllegalArgumentException("priority must be between 0 and 100: " + priority);
      }
      if (dueIn != null && (dueIn.isZero() || dueIn.isNegative())) {
        throw new IllegalArgumentException("due-in must be positive: " + dueIn);
      }
    }

    /**
     * This policy, with what it leaves out taken from {@code fallback}; allowed properties are
     * merged, this policy's patterns replacing the fallback's for the same property.
     */
    EnvironmentPolicy orElse(EnvironmentPolicy fallback) {
      Map<String, List<String>> properties = new LinkedHashMap<>();
      if (fallback.allowedProperties() != null) {
        properties.putAll(fallback.allowedProperties());
      }
      if (allowedProperties != null) {
        properties.putAll(allowedProperties);
      }
      return new EnvironmentPolicy(
          approverGroups != null ? approverGroups : fallback.approverGroups(),
          properties,
          priority != null ? priority : fallback.priority(),
          dueIn != null ? dueIn : fallback.dueIn());
    }

    private static void checkPatterns(String property, List<String> patterns) {
      for (String pattern : patterns) {
        try {
          Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
          throw new IllegalArgumentException(
              "allowed-properties.%s has an invalid regular expression: %s"
                  .formatted(property, e.getDescription()));
        }
      }
    }
  }

  /**
   * Limits of one cluster profile.
   *
   * @param maxRunningAgents the most agents an approved override may bring the profile to
   */
  public record ClusterProfilePolicy(Integer maxRunningAgents) {
    public ClusterProfilePolicy {
      if (maxRunningAgents != null && maxRunningAgents < 0) {
        throw new IllegalArgumentException(
            "max-running-agents must not be negative: " + maxRunningAgents);
      }
    }
  }

  private static Map<String, List<String>> copyOfLists(Map<String, List<String>> map) {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    map.forEach((key, values) -> copy.put(key, values == null ? List.of() : List.copyOf(values)));
    return Map.copyOf(copy);
  }
}
