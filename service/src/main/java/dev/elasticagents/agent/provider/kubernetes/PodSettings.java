package dev.elasticagents.agent.provider.kubernetes;

import static dev.elasticagents.gocd.profile.ElasticAgentProfileProperties.CPU;
import static dev.elasticagents.gocd.profile.ElasticAgentProfileProperties.CPU_LIMIT;
import static dev.elasticagents.gocd.profile.ElasticAgentProfileProperties.ENVIRONMENT_VARIABLES;
import static dev.elasticagents.gocd.profile.ElasticAgentProfileProperties.IMAGE;
import static dev.elasticagents.gocd.profile.ElasticAgentProfileProperties.MEMORY;
import static dev.elasticagents.gocd.profile.ElasticAgentProfileProperties.MEMORY_LIMIT;
import static dev.elasticagents.gocd.profile.ElasticAgentProfileProperties.NODE_SELECTOR;
import static dev.elasticagents.gocd.profile.ElasticAgentProfileProperties.POD_TEMPLATE;
import static dev.elasticagents.gocd.profile.ElasticAgentProfileProperties.SERVICE_ACCOUNT;

import dev.elasticagents.agent.AgentProfile;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How an elastic agent profile's properties become a pod: the image, resources, environment, node
 * selector and service account, or a whole pod template. Checked before an agent is reserved, with
 * messages that name the property.
 */
final class PodSettings {

  private static final String PREFIX = "'elastic_agent_profile_properties.";

  private PodSettings() {}

  /** What keeps the provider from making a pod of this profile. */
  static List<String> problemsWith(AgentProfile profile) {
    List<String> problems = new ArrayList<>();
    Optional<Pod> template;
    try {
      template = template(profile);
    } catch (RuntimeException e) {
      return List.of(PREFIX + POD_TEMPLATE + "' must be a Kubernetes pod in YAML: " + firstLine(e));
    }
    boolean hasImage = given(profile, IMAGE).isPresent();
    if (template.isPresent()) {
      Pod pod = template.get();
      if (pod.getKind() != null && !pod.getKind().equals("Pod")) {
        problems.add(PREFIX + POD_TEMPLATE + "' must be of kind Pod, not " + pod.getKind());
      } else if (pod.getSpec() == null
          || pod.getSpec().getContainers() == null
          || pod.getSpec().getContainers().isEmpty()) {
        problems.add(
            PREFIX + POD_TEMPLATE + "' must have a container: its first one runs the agent");
      } else if (!hasImage && blank(pod.getSpec().getContainers().getFirst().getImage())) {
        problems.add(
            PREFIX
                + POD_TEMPLATE
                + "' must give its first container an image, or the profile its '"
                + IMAGE
                + "'");
      }
    } else if (!hasImage) {
      problems.add(
          PREFIX
              + IMAGE
              + "' is required by the kubernetes provider (or a '"
              + POD_TEMPLATE
              + "')");
    }
    return problems;
  }

  /** The profile's pod template, parsed; empty when it has none. */
  static Optional<Pod> template(AgentProfile profile) {
    return given(profile, POD_TEMPLATE)
        .map(yaml -> Serialization.unmarshal(yaml, Pod.class))
        .map(
            pod -> {
              PodBuilder copy = new PodBuilder(pod);
              if (pod.getSpec() == null) {
                copy.withNewSpec().endSpec();
              }
              return copy.build();
            });
  }

  /** The agent container's image and resources, where the profile gives them. */
  static void apply(AgentProfile profile, ContainerBuilder container) {
    given(profile, IMAGE).ifPresent(container::withImage);
    if (container.getName() == null) {
      container.withName(AgentPods.CONTAINER);
    }
    Map<String, Quantity> requests = quantities(profile, CPU, MEMORY);
    Map<String, Quantity> limits = quantities(profile, CPU_LIMIT, MEMORY_LIMIT);
    if (!requests.isEmpty() || !limits.isEmpty()) {
      container.editOrNewResources().addToRequests(requests).addToLimits(limits).endResources();
    }
  }

  /**
   * The pod's node selector and service account, where the profile gives them, and whether the
   * account's token is mounted: the operator's choice, not the profile's.
   */
  static void applyToSpec(
      AgentProfile profile, PodBuilder pod, boolean automountServiceAccountToken) {
    Map<String, String> nodeSelector = lines(given(profile, NODE_SELECTOR).orElse(""));
    Optional<String> serviceAccount = given(profile, SERVICE_ACCOUNT);
    pod.editSpec()
        .addToNodeSelector(nodeSelector)
        .withServiceAccountName(serviceAccount.orElse(pod.buildSpec().getServiceAccountName()))
        .withAutomountServiceAccountToken(automountServiceAccountToken)
        .endSpec();
  }

  static Map<String, String> environmentVariables(AgentProfile profile) {
    return lines(given(profile, ENVIRONMENT_VARIABLES).orElse(""));
  }

  private static Map<String, Quantity> quantities(AgentProfile profile, String cpu, String memory) {
    Map<String, Quantity> quantities = new LinkedHashMap<>();
    AgentPods.quantity(profile.properties().get(cpu)).ifPresent(q -> quantities.put("cpu", q));
    AgentPods.quantity(profile.properties().get(memory))
        .ifPresent(q -> quantities.put("memory", q));
    return quantities;
  }

  /** Lines of name=value, blank lines skipped (the profile's rules checked their form). */
  private static Map<String, String> lines(String text) {
    Map<String, String> pairs = new LinkedHashMap<>();
    text.lines()
        .filter(line -> !line.isBlank())
        .forEach(
            line -> {
              int equals = line.indexOf('=');
              pairs.put(line.substring(0, equals).strip(), line.substring(equals + 1));
            });
    return pairs;
  }

  private static Optional<String> given(AgentProfile profile, String property) {
    return Optional.ofNullable(profile.properties().get(property))
        .filter(value -> !value.isBlank());
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  /** A parser's message without the document it quotes: its first line, printable, bounded. */
  private static String firstLine(RuntimeException e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    String message =
        String.valueOf(cause.getMessage())
            .lines()
            .findFirst()
            .orElse("")
            .replaceAll("\\p{Cntrl}", "?");
    return message.length() <= 200 ? message : message.substring(0, 200) + "...";
  }
}
