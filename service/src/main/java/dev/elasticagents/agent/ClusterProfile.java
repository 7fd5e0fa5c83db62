package dev.elasticagents.agent;

import dev.elasticagents.gocd.profile.ClusterProfileProperties;
import dev.elasticagents.runtime.InvalidJobVariablesException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The settings of a GoCD cluster profile, from its {@code cluster_profile_properties}, checked by
 * the rules the GoCD plugin declares ({@link ClusterProfileProperties}): {@code id}, {@code
 * max_running_agents}, {@code max_pending_agents}, {@code idle_timeout} and {@code
 * auto_register_timeout} and {@code max_build_duration} (ISO-8601 durations, or whole minutes as
 * GoCD plugins take them).
 */
public record ClusterProfile(
    String id,
    int maxRunningAgents,
    int maxPendingAgents,
    Duration idleTimeout,
    Duration autoRegisterTimeout,
    Duration maxBuildDuration) {

  /** The id of a cluster profile whose properties name none. */
  public static final String DEFAULT_ID = "default";

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
  private static final String PREFIX = "cluster_profile_properties.";

  /**
   * Reads a cluster profile, taking what its properties leave out from {@code defaults}.
   *
   * @throws InvalidJobVariablesException listing every property that cannot be read
   */
  public static ClusterProfile from(
      Map<String, String> properties, AgentProperties.ClusterDefaults defaults) {
    List<String> problems = new ArrayList<>();
    ClusterProfileProperties.validateGiven(properties)
        .forEach(
            error -> problems.add("'%s%s': %s".formatted(PREFIX, error.key(), error.message())));
    if (!problems.isEmpty()) {
      throw new InvalidJobVariablesException(problems);
    }
    String id = given(properties, "id").orElse(DEFAULT_ID);
    if (!ID.matcher(id).matches()) {
      problems.add(
          "'%sid' must be 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit"
              .formatted(PREFIX));
    }
    ClusterProfile profile =
        new ClusterProfile(
            id,
            count(properties, "max_running_agents", defaults.maxRunningAgents(), problems),
            count(properties, "max_pending_agents", defaults.maxPendingAgents(), problems),
            duration(properties, "idle_timeout", defaults.idleTimeout(), problems),
            duration(properties, "auto_register_timeout", defaults.autoRegisterTimeout(), problems),
            positiveDuration(
                properties, "max_build_duration", defaults.maxBuildDuration(), problems));
    if (!problems.isEmpty()) {
      throw new InvalidJobVariablesException(problems);
    }
    return profile;
  }

  /** A property's value; GoCD sends an empty one for a field left empty, which means not set. */
  private static Optional<String> given(Map<String, String> properties, String name) {
    return Optional.ofNullable(properties.get(name)).filter(value -> !value.isBlank());
  }

  private static int count(
      Map<String, String> properties, String name, int fallback, List<String> problems) {
    String value = given(properties, name).orElse(null);
    if (value == null) {
      return fallback;
    }
    try {
      int count = Integer.parseInt(value.strip());
      if (count > 0) {
        return count;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add("'%s%s' must be a positive whole number".formatted(PREFIX, name));
    return fallback;
  }

  private static Duration positiveDuration(
      Map<String, String> properties, String name, Duration fallback, List<String> problems) {
    Duration duration = duration(properties, name, fallback, problems);
    if (duration.isZero()) {
      problems.add("'%s%s' must be longer than zero".formatted(PREFIX, name));
      return fallback;
    }
    return duration;
  }

  private static Duration duration(
      Map<String, String> properties, String name, Duration fallback, List<String> problems) {
    String value = given(properties, name).orElse(null);
    if (value == null) {
      return fallback;
    }
    try {
      Duration duration =
          value.strip().chars().allMatch(Character::isDigit)
              ? Duration.ofMinutes(Long.parseLong(value.strip()))
              : Duration.parse(value.strip());
      if (!duration.isNegative()) {
        return duration;
      }
    } catch (DateTimeParseException | NumberFormatException e) {
      // reported below
    }
    problems.add(
        "'%s%s' must be whole minutes or an ISO-8601 duration such as PT10M"
            .formatted(PREFIX, name));
    return fallback;
  }
}
