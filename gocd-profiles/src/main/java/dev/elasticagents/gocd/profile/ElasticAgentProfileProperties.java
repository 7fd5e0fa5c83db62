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
  public static final String CPU_LIMIT = "cpu_limit";
  public static final String MEMORY = "memory";
  public static final String MEMORY_LIMIT = "memory_limit";
  public static final String NODE_SELECTOR = "node_selector";
  public static final String SERVICE_ACCOUNT = "service_account";
  public static final String POD_TEMPLATE = "pod_template";
  public static final String ENVIRONMENT_VARIABLES = "environment_variables";
  public static final String REUSE_AGENTS = "reuse_agents";

  private static final Pattern ENVIRONMENT_VARIABLE =
      Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(.*)");
  private static final Pattern CPU_QUANTITY = Pattern.compile("(?=.*[1-9])([0-9]+(\\.[0-9]+)?m?)");
  private static final Pattern MEMORY_QUANTITY =
      Pattern.compile("(?=.*[1-9])([0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?)");
  private static final Pattern NODE_LABEL =
      Pattern.compile(
          "(([a-z0-9]([-a-z0-9.]*[a-z0-9])?)/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?=([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile(
          "(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

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
                  Checks.matching(CPU_QUANTITY, "must be a CPU quantity such as 500m or 2")),
              PropertyRule.of(
                  new ProfileProperty(
                      CPU_LIMIT,
                      "CPU limit",
                      false,
                      false,
                      "The most CPU the agent may use, as a Kubernetes quantity such as 2."),
                  Checks.matching(CPU_QUANTITY, "must be a CPU quantity such as 500m or 2")),
              PropertyRule.of(
                  new ProfileProperty(
                      MEMORY,
                      "Memory",
                      false,
                      false,
                      "Memory the agent may use, as a Kubernetes quantity such as 512Mi or 2Gi."),
                  Checks.matching(
                      MEMORY_QUANTITY, "must be a memory quantity such as 512Mi or 2Gi")),
              PropertyRule.of(
                  new ProfileProperty(
                      MEMORY_LIMIT,
                      "Memory limit",
                      false,
                      false,
                      "The most memory the agent may use, as a Kubernetes quantity such as 4Gi."),
                  Checks.matching(
                      MEMORY_QUANTITY, "must be a memory quantity such as 512Mi or 2Gi")),
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
                  Checks.matching(Pattern.compile("true|false"), "must be true or false")),
              PropertyRule.multiline(
                  new ProfileProperty(
                      NODE_SELECTOR,
                      "Node selector",
                      false,
                      false,
                      "Kubernetes nodes the agent may run on: node labels, one key=value per"
                          + " line."),
                  ElasticAgentProfileProperties::nodeSelectorProblem),
              PropertyRule.of(
                  new ProfileProperty(
                      SERVICE_ACCOUNT,
                      "Service account",
                      false,
                      false,
                      "The Kubernetes service account the agent's pod runs as."),
                  Checks.matching(
                      DNS_SUBDOMAIN,
                      "must be a Kubernetes name: lower-case letters, digits, '-' and '.'")),
              PropertyRule.document(
                  new ProfileProperty(
                      POD_TEMPLATE,
                      "Pod template",
                      false,
                      false,
                      "A whole Kubernetes pod (YAML) instead of the fields above; its first"
                          + " container runs the agent."),
                  value -> Optional.empty())));

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
      if (line.group(1).startsWith("GO_EA_")) {
        return Optional.of(
            "line %d sets %s: the service sets the GO_EA_ variables"
                .formatted(i + 1, line.group(1)));
      }
    }
    return Optional.empty();
  }

  /** Lines of key=value node labels, blank lines ignored. */
  private static Optional<String> nodeSelectorProblem(String value) {
    String[] lines = value.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].isBlank() && !NODE_LABEL.matcher(lines[i].strip()).matches()) {
        return Optional.of(
            "line %d must be a node label key=value, such as kubernetes.io/arch=amd64"
                .formatted(i + 1));
      }
    }
    return Optional.empty();
  }

  /**
   * The problems of an elastic agent profile in a request to the service: the rules of the
   * properties given, and the limits of every value; nothing required, nothing unknown.
   */
  public static List<PropertyError> validateGiven(Map<String, String> properties) {
    return VALIDATOR.validateGiven(properties);
  }
}
