package dev.elasticagents.agent.provider.kubernetes;

import dev.elasticagents.agent.AgentId;
import dev.elasticagents.agent.AgentLaunch;
import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.agent.AgentProvider;
import dev.elasticagents.agent.AutoRegisterKey;
import dev.elasticagents.runtime.InvalidJobVariablesException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.extension.ExtensibleResource;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
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

  /**
   * The labels the service's own Service, Deployment and PodDisruptionBudget select on: no agent
   * pod carries them, whatever its template says.
   */
  public static final Map<String, String> SERVICE_SELECTOR = PodPolicy.SERVICE_SELECTOR;

  private static final Path SERVICE_ACCOUNT_NAMESPACE =
      Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
  // Stands in for the agent id while a profile is checked, before any agent is reserved.
  private static final String CHECKED_AGENT = "gocd-profile-check";

  private final PodPolicy policy;
  private final AgentPods pods;
  private final KubernetesProperties properties;
  private final KubernetesErrors errors;
  private volatile SharedIndexInformer<Pod> informer;

  public KubernetesAgentProvider(
      KubernetesClient client, KubernetesProperties properties, String pluginId) {
    this(client, properties, pluginId, serviceNamespace(properties, SERVICE_ACCOUNT_NAMESPACE));
  }

  /**
   * @param serviceNamespace the namespace the service itself runs in, when it runs in a pod
   * @throws IllegalStateException when agents would run in the service's own namespace: any pod
   *     there could then read the service's Secrets or take its Service's traffic
   */
  KubernetesAgentProvider(
      KubernetesClient client,
      KubernetesProperties properties,
      String pluginId,
      Optional<String> serviceNamespace) {
    this.client = client;
    this.namespace =
        properties.namespace().isBlank()
            ? Objects.requireNonNullElse(client.getNamespace(), "default")
            : properties.namespace();
    if (serviceNamespace.filter(namespace::equals).isPresent()) {
      throw new IllegalStateException(
          "elastic-agents.kubernetes.namespace is '%s', the service's own namespace: agents must run in a namespace of their own (see docs/operations.md, Kubernetes)"
              .formatted(namespace));
    }
    this.pluginId = pluginId;
    this.properties = properties;
    this.policy = new PodPolicy(properties);
    this.pods =
        new AgentPods(
            namespace, properties.goServerUrl(), policy, properties.automountServiceAccountToken());
    this.errors = new KubernetesErrors(namespace);
  }

  /** The service's namespace: the property, else the one of the pod's service account. */
  static Optional<String> serviceNamespace(KubernetesProperties properties, Path namespaceFile) {
    if (!properties.serviceNamespace().isBlank()) {
      return Optional.of(properties.serviceNamespace().strip());
    }
    try {
      return Files.isReadable(namespaceFile)
          ? Optional.of(Files.readString(namespaceFile).strip()).filter(n -> !n.isEmpty())
          : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the service's namespace from " + namespaceFile, e);
    }
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

  /**
   * The profile's settings, then the operator's pod policy applied to the pod the provider would
   * make of it: the lifecycle asks before it reserves an agent, so a refused profile reserves
   * nothing and fails its job with these problems as the incident's message.
   */
  @Override
  public List<String> problemsWith(AgentProfile profile) {
    List<String> problems = PodSettings.problemsWith(profile);
    if (!problems.isEmpty()) {
      return problems;
    }
    return policy.problemsWith(
        profile,
        PodSettings.template(profile),
        pods.pod(new AgentLaunch(CHECKED_AGENT, pluginId, new AutoRegisterKey(""), profile)));
  }

  /**
   * Creates the agent's pod, then its Secret owned by the pod; the pod waits for the Secret. The
   * pod policy is checked again on the very pod: a lifecycle started with variables of its own
   * reaches here too.
   */
  @Override
  public void launch(AgentLaunch launch) {
    Pod pod = pods.pod(launch);
    List<String> refused =
        policy.problemsWith(launch.profile(), PodSettings.template(launch.profile()), pod);
    if (!refused.isEmpty()) {
      throw new InvalidJobVariablesException(refused);
    }
    Pod created =
        createOrFindOurs(
            pod,
            () -> client.pods().inNamespace(namespace).resource(pod).create(),
            () -> client.pods().inNamespace(namespace).withName(launch.agentId()).get(),
            existing -> isAgentPod(existing, launch.agentId()),
            "create pods");
    Secret secret = pods.secret(launch, created);
    createOrFindOurs(
        secret,
        () -> client.secrets().inNamespace(namespace).resource(secret).create(),
        () -> client.secrets().inNamespace(namespace).withName(launch.agentId()).get(),
        existing -> isAgentSecret(existing, launch.agentId(), created.getMetadata().getUid()),
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

  /**
   * Deletes the agent's pod, if it is one: named as its agent-id label says and labelled by this
   * plugin. Anything else of that name is left alone, whoever made it. The delete carries the
   * observed resource version as its precondition, so a pod replaced since it was read is not
   * deleted in its place (the API server answers 409, and the job is tried again).
   */
  @Override
  public void terminate(String agentId) {
    if (!AgentId.isValid(agentId)) {
      return;
    }
    Pod pod =
        errors.call("get pods", () -> client.pods().inNamespace(namespace).withName(agentId).get());
    if (pod == null) {
      return;
    }
    if (!isAgentPod(pod, agentId)) {
      log.warn(
          "Leaving pod {} in namespace {} alone: it is not an agent pod of {}",
          agentId,
          namespace,
          pluginId);
      return;
    }
    errors.call(
        "delete pods",
        () ->
            preconditioned(client.pods().inNamespace(namespace).withName(agentId), pod)
                .withGracePeriod(properties.deletionGracePeriod().toSeconds())
                .delete());
  }

  /**
   * Deletes the Secret now rather than waiting for Kubernetes' garbage collector, if it is the
   * agent's: labelled for this agent and owned by its pod (the pod that still exists, when it
   * does). The service's own Secrets and anything else of that name are left alone.
   */
  @Override
  public void delete(String agentId) {
    if (!AgentId.isValid(agentId)) {
      return;
    }
    Secret secret =
        errors.call(
            "get secrets", () -> client.secrets().inNamespace(namespace).withName(agentId).get());
    if (secret == null) {
      return;
    }
    Pod pod =
        errors.call("get pods", () -> client.pods().inNamespace(namespace).withName(agentId).get());
    String podUid = pod != null && isAgentPod(pod, agentId) ? pod.getMetadata().getUid() : null;
    if (!isAgentSecret(secret, agentId, podUid)) {
      log.warn(
          "Leaving Secret {} in namespace {} alone: it is not the Secret of an agent pod of {}",
          agentId,
          namespace,
          pluginId);
      return;
    }
    errors.call(
        "delete secrets",
        () ->
            preconditioned(client.secrets().inNamespace(namespace).withName(agentId), secret)
                .delete());
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
        .filter(pod -> pluginId.equals(PodStates.label(pod, AgentPods.CREATED_BY)))
        .map(PodStates::agentId)
        .flatMap(Optional::stream)
        .collect(Collectors.toUnmodifiableSet());
  }

  /** The watcher's cache, used for {@link #runningAgents()} while it has synced and watches. */
  void watchedBy(SharedIndexInformer<Pod> informer) {
    this.informer = informer;
  }

  long resyncMillis() {
    return TimeUnit.MILLISECONDS.convert(properties.resyncPeriod());
  }

  /** A pod this plugin made for {@code agentId}: named by and labelled with the agent id. */
  private boolean isAgentPod(Pod pod, String agentId) {
    return PodStates.agentId(pod).filter(agentId::equals).isPresent()
        && pluginId.equals(PodStates.label(pod, AgentPods.CREATED_BY));
  }

  /**
   * The Secret this plugin made for {@code agentId}: labelled so, and owned by the agent's pod (by
   * the pod of {@code podUid} when that pod is known).
   */
  private boolean isAgentSecret(Secret secret, String agentId, String podUid) {
    Map<String, String> labels =
        Optional.ofNullable(secret.getMetadata().getLabels()).orElse(Map.of());
    List<OwnerReference> owners =
        Optional.ofNullable(secret.getMetadata().getOwnerReferences()).orElse(List.of());
    return agentId.equals(secret.getMetadata().getName())
        && agentId.equals(labels.get(AgentPods.AGENT_ID))
        && pluginId.equals(labels.get(AgentPods.CREATED_BY))
        && owners.size() == 1
        && "Pod".equals(owners.getFirst().getKind())
        && agentId.equals(owners.getFirst().getName())
        && (podUid == null || podUid.equals(owners.getFirst().getUid()));
  }

  /** The object as observed: deleting it fails if it changed or was replaced since. */
  private static <T extends HasMetadata> ExtensibleResource<T> preconditioned(
      Resource<T> resource, T observed) {
    // fabric8's resources are ExtensibleResources; the narrower Resource type cannot chain a
    // locked resource version with a grace period.
    return ((ExtensibleResource<T>) resource)
        .lockResourceVersion(observed.getMetadata().getResourceVersion());
  }

  private <T extends HasMetadata> T createOrFindOurs(
      T object, Supplier<T> create, Supplier<T> find, Predicate<T> ours, String action) {
    try {
      return errors.call(action, create);
    } catch (KubernetesErrors.AlreadyExists e) {
      T existing = errors.call(action, find);
      String agentId = object.getMetadata().getName();
      if (existing == null || !ours.test(existing)) {
        // Left alone: terminating this agent finds it is not the agent's and deletes nothing.
        throw new IllegalStateException(
            "A %s named %s exists in namespace %s but is not this agent's"
                .formatted(object.getKind(), agentId, namespace),
            e);
      }
      return existing;
    }
  }
}
