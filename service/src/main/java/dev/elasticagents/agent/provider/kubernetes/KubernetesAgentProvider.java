package dev.elasticagents.agent.provider.kubernetes;

import dev.elasticagents.agent.AgentLaunch;
import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.agent.AgentProvider;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Agents as Kubernetes pods in one namespace. Every call is idempotent: a pod or Secret that
 * already exists with this agent's label is this agent's, and deleting what is gone is done. Agents
 * belong to the namespace, not to a service instance: any instance judges and terminates them,
 * their claims in the registry keeping two instances from acting on one agent at once.
 */
public class KubernetesAgentProvider implements AgentProvider {

  private static final Logger log = LoggerFactory.getLogger(KubernetesAgentProvider.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String pluginId;
  private final AgentPods pods;
  private final KubernetesProperties properties;
  private final KubernetesErrors errors;
  private volatile SharedIndexInformer<Pod> informer;

  public KubernetesAgentProvider(
      KubernetesClient client, KubernetesProperties properties, String pluginId) {
    this.client = client;
    this.namespace =
        properties.namespace().isBlank()
            ? Objects.requireNonNullElse(client.getNamespace(), "default")
            : properties.namespace();
    this.pluginId = pluginId;
    this.properties = properties;
    this.pods = new AgentPods(namespace, properties.goServerUrl());
    this.errors = new KubernetesErrors(namespace);
  }

  @Override
  public String owner() {
    return "kubernetes:" + namespace;
  }

  /** Every replica of the service launches agents in the one namespace. */
  @Override
  public boolean scopeSharedByReplicas() {
    return true;
  }

  @Override
  public Duration launchGrace() {
    return properties.launchGrace();
  }

  String namespace() {
    return namespace;
  }

  String pluginId() {
    return pluginId;
  }

  @Override
  public List<String> problemsWith(AgentProfile profile) {
    return PodSettings.problemsWith(profile);
  }

  /** Creates the agent's pod, then its Secret owned by the pod; the pod waits for the Secret. */
  @Override
  public void launch(AgentLaunch launch) {
    Pod pod = pods.pod(launch);
    Pod created =
        createOrFindOurs(
            pod,
            () -> client.pods().inNamespace(namespace).resource(pod).create(),
            () -> client.pods().inNamespace(namespace).withName(launch.agentId()).get(),
            "create pods");
    Secret secret = pods.secret(launch, created);
    createOrFindOurs(
        secret,
        () -> client.secrets().inNamespace(namespace).resource(secret).create(),
        () -> client.secrets().inNamespace(namespace).withName(launch.agentId()).get(),
        "create secrets");
    log.info(
        "Created pod {} in namespace {} for agent {}",
        launch.agentId(),
        namespace,
        launch.agentId());
  }

  /** GoCD disables the agent itself; a pod has nothing to disable. */
  @Override
  public void disable(String agentId) {}

  @Override
  public void terminate(String agentId) {
    errors.call(
        "delete pods",
        () ->
            client
                .pods()
                .inNamespace(namespace)
                .withName(agentId)
                .withGracePeriod(properties.deletionGracePeriod().toSeconds())
                .delete());
  }

  /** Deletes the Secret now rather than waiting for Kubernetes' garbage collector. */
  @Override
  public void delete(String agentId) {
    errors.call(
        "delete secrets", () -> client.secrets().inNamespace(namespace).withName(agentId).delete());
  }

  /**
   * Pods of this plugin that have not ended and are not being deleted, by agent id: from the
   * watcher's cache while its watch runs, from the API server otherwise. A cache whose watch is
   * down (reconnecting, or given up after a watch error) misses the pods created since, which a
   * cleanup would then terminate as no longer running.
   */
  @Override
  public Set<String> runningAgents() {
    SharedIndexInformer<Pod> watching = informer;
    List<Pod> all =
        watching != null && watching.hasSynced() && watching.isWatching()
            ? watching.getStore().list()
            : errors.call(
                "list pods",
                () ->
                    client
                        .pods()
                        .inNamespace(namespace)
                        .withLabel(AgentPods.CREATED_BY, pluginId)
                        .list()
                        .getItems());
    return all.stream()
        .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
        .filter(pod -> !PodStates.hasEnded(pod))
        .map(PodStates::agentId)
        .filter(Objects::nonNull)
        .collect(Collectors.toUnmodifiableSet());
  }

  /** The watcher's cache, used for {@link #runningAgents()} while it has synced and watches. */
  void watchedBy(SharedIndexInformer<Pod> informer) {
    this.informer = informer;
  }

  long resyncMillis() {
    return TimeUnit.MILLISECONDS.convert(properties.resyncPeriod());
  }

  private <T extends HasMetadata> T createOrFindOurs(
      T object, Supplier<T> create, Supplier<T> find, String action) {
    try {
      return errors.call(action, create);
    } catch (KubernetesErrors.AlreadyExists e) {
      T existing = errors.call(action, find);
      String agentId = object.getMetadata().getName();
      if (existing == null
          || !agentId.equals(existing.getMetadata().getLabels().get(AgentPods.AGENT_ID))) {
        throw new IllegalStateException(
            "A %s named %s exists in namespace %s but is not this agent's"
                .formatted(object.getKind(), agentId, namespace),
            e);
      }
      return existing;
    }
  }
}
