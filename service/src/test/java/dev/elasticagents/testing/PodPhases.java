package dev.elasticagents.testing;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** The mock API server schedules nothing: tests set the phases a kubelet would report. */
public final class PodPhases {

  private PodPhases() {}

  public static Pod set(KubernetesClient client, String namespace, String name, String phase) {
    return client
        .pods()
        .inNamespace(namespace)
        .withName(name)
        .edit(pod -> new PodBuilder(pod).withNewStatus().withPhase(phase).endStatus().build());
  }

  /** A pod whose agent container ended with an exit code. */
  public static Pod failed(
      KubernetesClient client, String namespace, String name, String reason, int exitCode) {
    return client
        .pods()
        .inNamespace(namespace)
        .withName(name)
        .edit(
            pod ->
                new PodBuilder(pod)
                    .withNewStatus()
                    .withPhase("Failed")
                    .addToContainerStatuses(
                        new ContainerStatusBuilder()
                            .withName("gocd-agent")
                            .withNewState()
                            .withNewTerminated()
                            .withReason(reason)
                            .withExitCode(exitCode)
                            .endTerminated()
                            .endState()
                            .build())
                    .endStatus()
                    .build());
  }

  /** A pod that waits, as for an image it cannot pull. */
  public static Pod waiting(KubernetesClient client, String namespace, String name, String reason) {
    return client
        .pods()
        .inNamespace(namespace)
        .withName(name)
        .edit(
            pod ->
                new PodBuilder(pod)
                    .withNewStatus()
                    .withPhase("Pending")
                    .addToContainerStatuses(
                        new ContainerStatusBuilder()
                            .withName("gocd-agent")
                            .withNewState()
                            .withNewWaiting()
                            .withReason(reason)
                            .endWaiting()
                            .endState()
                            .build())
                    .endStatus()
                    .build());
  }
}
