package dev.elasticagents.agent.provider.kubernetes;

import dev.elasticagents.agent.AgentId;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/** What a pod's status says about its agent, in words an operator can act on. */
final class PodStates {

  private PodStates() {}

  /**
   * The agent a pod runs: its agent-id label, only where the pod is named by it and the id is one
   * the service could have made. Anyone who can create pods in the namespace can label one; a pod
   * that names another object (the service's Secret, say) in its label is no agent's.
   */
  static Optional<String> agentId(Pod pod) {
    String name = pod.getMetadata().getName();
    return Optional.ofNullable(label(pod, AgentPods.AGENT_ID))
        .filter(AgentId::isValid)
        .filter(id -> id.equals(name));
  }

  static String label(Pod pod, String key) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return labels == null ? null : labels.get(key);
  }

  static String phase(Pod pod) {
    return Optional.ofNullable(pod.getStatus()).map(PodStatus::getPhase).orElse("Pending");
  }

  static boolean hasEnded(Pod pod) {
    return phase(pod).equals("Failed") || phase(pod).equals("Succeeded");
  }

  /** Why a pod failed or waits: the pod's own reason, a container's, or the scheduler's. */
  static Optional<String> reason(Pod pod) {
    PodStatus status = pod.getStatus();
    if (status == null) {
      return Optional.empty();
    }
    List<ContainerStatus> containers =
        Optional.ofNullable(status.getContainerStatuses()).orElse(List.of());
    return Stream.of(
            Optional.ofNullable(status.getReason()),
            containers.stream()
                .map(
                    c ->
                        c.getState() == null || c.getState().getWaiting() == null
                            ? null
                            : c.getState().getWaiting().getReason())
                .filter(Objects::nonNull)
                .findFirst(),
            containers.stream()
                .map(
                    c ->
                        c.getState() == null || c.getState().getTerminated() == null
                            ? null
                            : c.getState().getTerminated().getReason()
                                + " (exit code "
                                + c.getState().getTerminated().getExitCode()
                                + ")")
                .filter(Objects::nonNull)
                .findFirst(),
            Optional.ofNullable(status.getConditions()).orElse(List.of()).stream()
                .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()))
                .map(PodCondition::getReason)
                .filter(Objects::nonNull)
                .findFirst())
        .flatMap(Optional::stream)
        .map(reason -> reason.replaceAll("\\p{Cntrl}", " "))
        .findFirst();
  }
}
