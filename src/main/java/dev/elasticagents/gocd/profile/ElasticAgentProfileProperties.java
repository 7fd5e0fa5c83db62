package dev.elasticagents.gocd.profile;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The properties of an elastic agent profile: what one agent runs and with which resources. */
public final class ElasticAgentProfileProperties {

  public static final String IMAGE = "image";
  public static final String CPU = "cpu";
  public static final String MEMORY = "memory";
  public static final String ENVIRONMENT_VARIABLES = "environment_variables";
  public static final String REUSE_AGENTS = "reuse_agents";

  private static final Pattern ENVIRONMENT_VARIABLE =
      Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(.*)");

  private static final ProfileValidator VALIDATOR =
      new ProfileValidator(
          List.of(
              PropertyRule.of(
                  new ProfileProperty(
                      IMAGE,
                      "Image",
                      false,
                      false,
                      "Container image the agent runs, such as"
                          + " gocd/gocd-agent-ubuntu-24.04:v25.3.0."),
                  Checks.matching(
                      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@-]*"),
                      "must be a container image reference such as"
                          + " gocd/gocd-agent-ubuntu-24.04:v25.3.0")),
              PropertyRule.of(
                  new ProfileProperty(
                      CPU,
                      "CPU",
                      false,
                      false,
                      "CPU the agent may use, as a Kubernetes quantity such as 500m or 2."),
                  // The quantity must not be zero: an agent without CPU never runs a build.
                  Checks.matching(
                      Pattern.compile("(?=.*[1-9])([0-9]+(\\.[0-9]+)?m?)"),
                      "must be a CPU quantity such as 500m or 2")),
              PropertyRule.of(
                  new ProfileProperty(
                      MEMORY,
                      "Memory",
                      false,
                      false,
                      "Memory the agent may use, as a Kubernetes quantity such as 512Mi or 2Gi."),
                  Checks.matching(
                      Pattern.compile(
                          "(?=.*[1-9])([0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?)"),
                      "must be a memory quantity such as 512Mi or 2Gi")),
              PropertyRule.multiline(
                  new ProfileProperty(
                      ENVIRONMENT_VARIABLES,
                      "Environment variables",
                      false,
                      false,
                      "Environment variables of the agent, one NAME=value per line."),
                  ElasticAgentProfileProperties::environmentVariablesProblem),
              PropertyRule.of(
                  new ProfileProperty(
                      REUSE_AGENTS,
                      "Reuse agents",
                      false,
                      false,
                      "Whether an agent is kept after its job for the next job of this profile:"
                          + " true or false."),
                  Checks.matching(Pattern.compile("true|false"), "must be true or false"))));

  private ElasticAgentProfileProperties() {}

  /** The properties in the order GoCD shows them. */
  public static List<ProfileProperty> declared() {
    return VALIDATOR.declared();
  }

  /** The problems of an elastic agent profile, one per bad key; empty when it is valid. */
  public static List<PropertyError> validate(Map<String, String> properties) {
    return VALIDATOR.validate(properties);
  }

  /** Lines of NAME=value, blank lines ignored; a name given twice is a mistake, not an override. */
  private static Optional<String> environmentVariablesProblem(String value) {
    String[] lines = value.split("\r?\n", -1);
    Set<String> names = new HashSet<>();
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      Matcher line = ENVIRONMENT_VARIABLE.matcher(lines[i]);
      if (!line.matches()) {
        return Optional.of(
            "line %d must be NAME=value, NAME made of letters, digits and '_' and not starting with a digit"
                .formatted(i + 1));
      }
      if (!names.add(line.group(1))) {
        return Optional.of("line %d sets %s again".formatted(i + 1, line.group(1)));
      }
    }
    return Optional.empty();
  }

  /**
   * The problems of a elastic agent profile in a request to the service: the rules of the properties given,
   * and the limits of every value; nothing required, nothing unknown.
   */
  public static List<PropertyError> validateGiven(Map<String, String> properties) {
    return VALIDATOR.validateGiven(properties);
  }
}
