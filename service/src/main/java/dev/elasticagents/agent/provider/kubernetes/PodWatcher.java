package dev.elasticagents.agent.provider.kubernetes;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.AgentTerminations;
import dev.elasticagents.agent.Deadlines;
import dev.elasticagents.agent.Termination;
import dev.elasticagents.agent.TerminationKind;
import dev.elasticagents.runtime.JobWorkerRegistrar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Keeps the registry true to the cluster: watches this plugin's pods and terminates the agent of a
 * pod that failed, exited, vanished or stayed Pending past its auto-register timeout, and deletes
 * pods the registry does not know (leaked). Resyncs look at every pod again, so a pod stuck Pending
 * is noticed without a change of its own. Every termination is a claim in the registry, so replicas
 * watching the same pods agree; the terminator logs it. Starts before the job workers.
 */
public class PodWatcher implements SmartLifecycle, ResourceEventHandler<Pod> {

  private static final Logger log = LoggerFactory.getLogger(PodWatcher.class);

  private final KubernetesClient client;
  private final KubernetesAgentProvider provider;
  private final AgentTerminations terminator;
  private final Clock clock;
  private volatile SharedIndexInformer<Pod> informer;

  public PodWatcher(
      KubernetesClient client,
      KubernetesAgentProvider provider,
      AgentTerminations terminator,
      Clock clock) {
    this.client = client;
    this.provider = provider;
    this.terminator = terminator;
    this.clock = clock;
  }

  @Override
  public void start() {
    informer =
        client
            .pods()
            .inNamespace(provider.namespace())
            .withLabel(AgentPods.CREATED_BY, provider.pluginId())
            .inform(this, provider.resyncMillis());
    provider.watchedBy(informer);
    log.info(
        "Watching the agent pods of {} in namespace {}", provider.pluginId(), provider.namespace());
  }

  @Override
  public void stop() {
    SharedIndexInformer<Pod> watching = informer;
    if (watching != null) {
      provider.watchedBy(null);
      watching.stop();
      informer = null;
    }
  }

  @Override
  public boolean isRunning() {
    return informer != null;
  }

  @Override
  public int getPhase() {
    return JobWorkerRegistrar.PHASE - 2;
  }

  @Override
  public void onAdd(Pod pod) {
    judge(pod);
  }

  @Override
  public void onUpdate(Pod before, Pod pod) {
    judge(pod);
  }

  @Override
  public void onDelete(Pod pod, boolean finalStateUnknown) {
    PodStates.agentId(pod)
        .flatMap(this::live)
        .ifPresent(agent -> terminator.terminate(agent, podEnded("its pod was deleted")));
  }

  /** What a pod's state means for its agent; every action is a claim, so replicas agree. */
  void judge(Pod pod) {
    Optional<String> named = PodStates.agentId(pod);
    if (named.isEmpty()
        || !provider.pluginId().equals(PodStates.label(pod, AgentPods.CREATED_BY))
        || pod.getMetadata().getDeletionTimestamp() != null) {
      // Not an agent pod of this plugin, whatever its labels say: never ours to delete.
      return;
    }
    String agentId = named.get();
    Optional<Agent> known = terminator.find(agentId);
    if (known.isEmpty() || known.get().state() == AgentState.TERMINATED) {
      // Every launch reserves its agent in the registry before the pod exists: this pod leaked.
      log.warn("Deleting pod {}: the registry holds no live agent {}", agentId, agentId);
      terminator.removeUnknown(agentId);
      return;
    }
    Agent agent = known.get();
    if (agent.state() == AgentState.TERMINATING) {
      return;
    }
    String why = PodStates.reason(pod).map(reason -> ": " + reason).orElse("");
    switch (PodStates.phase(pod)) {
      case "Failed" -> terminator.terminate(agent, podEnded("its pod failed" + why));
      case "Succeeded" -> terminator.terminate(agent, podEnded("its pod exited" + why));
      case "Pending" -> {
        if (agent.registeredAt().isEmpty() && pendingTooLong(pod, agent)) {
          terminator.terminate(
              agent,
              podEnded(
                  "its pod stayed Pending longer than the auto-register timeout of "
                      + agent.autoRegisterTimeout()
                      + why));
        }
      }
      default -> {}
    }
  }

  /**
   * A termination the pod watcher decides. These have always been counted as {@code other} in
   * {@code elastic_agents_terminations_total}; dashboards and alerts read its values as they are.
   */
  private static Termination podEnded(String reason) {
    return new Termination(TerminationKind.OTHER, reason);
  }

  private boolean pendingTooLong(Pod pod, Agent agent) {
    Instant created =
        Optional.ofNullable(pod.getMetadata().getCreationTimestamp())
            .map(Instant::parse)
            .orElse(agent.createdAt());
    return !Deadlines.after(created, agent.autoRegisterTimeout()).isAfter(clock.instant());
  }

  private Optional<Agent> live(String agentId) {
    return terminator.find(agentId).filter(agent -> agent.state().isAvailable());
  }
}
