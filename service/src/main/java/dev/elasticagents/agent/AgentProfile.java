package dev.elasticagents.agent;

import dev.elasticagents.gocd.profile.ElasticAgentProfileProperties;
import dev.elasticagents.runtime.InvalidJobVariablesException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What an agent is for: its environment and elastic agent profile properties. Agents with the same
 * key are interchangeable, so an idle one may take another job of the same profile.
 */
public record AgentProfile(String environment, Map<String, String> properties, boolean reusable) {

  private static final Pattern ENVIRONMENT = Pattern.compile("[A-Za-z0-9_.-]{0,255}");
  private static final Pattern PROPERTY_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
  private static final String PROPERTIES = "elastic_agent_profile_properties";

  public AgentProfile {
    properties = Map.copyOf(properties);
  }

  /**
   * Reads and checks a profile: the environment and property keys use GoCD's name characters,
   * values follow the rules the GoCD plugin declares ({@link ElasticAgentProfileProperties}).
   * Property {@code reuse_agents} ({@code true}/{@code false}) overrides whether agents of the
   * profile are kept after a job.
   *
   * @throws InvalidJobVariablesException listing every problem
   */
  public static AgentProfile from(
      String environment, Map<String, String> properties, boolean reuseByDefault) {
    List<String> problems = new ArrayList<>();
    if (!ENVIRONMENT.matcher(environment).matches()) {
      problems.add("'environment' may hold only letters, digits, '.', '_' and '-'");
    }
    if (properties.keySet().stream().anyMatch(key -> !PROPERTY_KEY.matcher(key).matches())) {
      problems.add(
          "an agent profile property name may hold only letters, digits, '.', '_' and '-'");
    } else {
      ElasticAgentProfileProperties.validateGiven(properties)
          .forEach(
              error ->
                  problems.add("'%s.%s': %s".formatted(PROPERTIES, error.key(), error.message())));
    }
    String reuse =
        Optional.ofNullable(properties.get("reuse_agents"))
            .filter(value -> !value.isBlank())
            .orElse(String.valueOf(reuseByDefault));
    if (!problems.isEmpty()) {
      throw new InvalidJobVariablesException(problems);
    }
    return new AgentProfile(environment, properties, Boolean.parseBoolean(reuse));
  }

  /** A stable digest of environment and properties, whatever their order. */
  public String key() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(environment.getBytes(StandardCharsets.UTF_8));
      new TreeMap<>(properties)
          .forEach(
              (name, value) -> {
                digest.update((byte) 0);
                digest.update(name.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(value.getBytes(StandardCharsets.UTF_8));
              });
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JVM has SHA-256", e);
    }
  }
}
