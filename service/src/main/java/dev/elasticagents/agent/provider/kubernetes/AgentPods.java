package dev.elasticagents.agent.provider.kubernetes;

import dev.elasticagents.agent.AgentLaunch;
import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.agent.JobIdentifier;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The pod and the Secret of one agent. The auto-register key lives in the Secret only; the pod
 * reads it through a {@code secretKeyRef}, and the Secret is owned by the pod, so Kubernetes
 * deletes it with the pod.
 */
final class AgentPods {

  static final String PREFIX = "elastic-agents.dev/";
  static final String CREATED_BY = PREFIX + "created-by";
  static final String AGENT_ID = PREFIX + "agent-id";
  static final String JOB_ID = PREFIX + "job-id";
  static final String CLUSTER_PROFILE = PREFIX + "cluster-profile";
  static final String JOB_IDENTIFIER = PREFIX + "job-identifier";
  static final String AGENT_PROFILE = PREFIX + "agent-profile";
  static final String ENVIRONMENT = PREFIX + "environment";
  static final String KEY = "auto-register-key";
  static final String CONTAINER = "gocd-agent";

  private static final Pattern LABEL_VALUE =
      Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

  private final String namespace;
  private final String goServerUrl;
  private final PodPolicy policy;
  private final boolean automountServiceAccountToken;

  AgentPods(
      String namespace,
      String goServerUrl,
      PodPolicy policy,
      boolean automountServiceAccountToken) {
    this.namespace = namespace;
    this.goServerUrl = goServerUrl;
    this.policy = policy;
    this.automountServiceAccountToken = automountServiceAccountToken;
  }

  /** The agent's pod: from the profile's fields, or from its pod template. */
  Pod pod(AgentLaunch launch) {
    AgentProfile profile = launch.profile();
    Pod base =
        PodSettings.template(profile)
            .orElseGet(() -> new PodBuilder().withNewSpec().endSpec().build());
    List<Container> containers = new ArrayList<>(base.getSpec().getContainers());
    Container agent =
        containers.isEmpty()
            ? new ContainerBuilder().withName(CONTAINER).build()
            : containers.getFirst();
    ContainerBuilder container = new ContainerBuilder(agent).withEnv(env(launch, agent.getEnv()));
    PodSettings.apply(profile, container);
    if (containers.isEmpty()) {
      containers.add(container.build());
    } else {
      containers.set(0, container.build());
    }
    PodBuilder pod =
        new PodBuilder(base)
            .editOrNewMetadata()
            .withName(launch.agentId())
            .withNamespace(namespace)
            .addToLabels(labels(launch))
            .addToAnnotations(annotations(launch))
            .endMetadata()
            .editSpec()
            .withContainers(containers)
            // An agent that exits is done: its agent is terminated, never restarted in place.
            .withRestartPolicy("Never")
            .endSpec();
    PodSettings.applyToSpec(profile, pod, automountServiceAccountToken);
    Pod built = pod.build();
    policy.harden(built);
    return built;
  }

  /** The Secret holding the agent's auto-register key, owned by its pod. */
  Secret secret(AgentLaunch launch, Pod owner) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(launch.agentId())
        .withNamespace(namespace)
        .addToLabels(CREATED_BY, launch.pluginId())
        .addToLabels(AGENT_ID, launch.agentId())
        .withOwnerReferences(
            new OwnerReferenceBuilder()
                .withApiVersion("v1")
                .withKind("Pod")
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .build())
        .endMetadata()
        .withType("Opaque")
        .addToStringData(KEY, launch.autoRegisterKey().value())
        .build();
  }

  private Map<String, String> labels(AgentLaunch launch) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(CREATED_BY, launch.pluginId());
    labels.put(AGENT_ID, launch.agentId());
    launch.job().ifPresent(job -> labels.put(JOB_ID, String.valueOf(job.jobId())));
    // A cluster profile id may be longer than a label value allows (63): the annotation has it
    // whole.
    if (LABEL_VALUE.matcher(launch.clusterProfileId()).matches()) {
      labels.put(CLUSTER_PROFILE, launch.clusterProfileId());
    }
    return labels;
  }

  private static Map<String, String> annotations(AgentLaunch launch) {
    Map<String, String> annotations = new LinkedHashMap<>();
    launch
        .job()
        .map(JobIdentifier::locator)
        .ifPresent(locator -> annotations.put(JOB_IDENTIFIER, locator));
    annotations.put(CLUSTER_PROFILE, launch.clusterProfileId());
    annotations.put(AGENT_PROFILE, launch.profile().key());
    annotations.put(ENVIRONMENT, launch.profile().environment());
    return annotations;
  }

  /**
   * The profile's environment variables and the template's, then the service's GO_EA_ variables,
   * which nothing else may set; the key comes from the agent's Secret.
   */
  private List<EnvVar> env(AgentLaunch launch, List<EnvVar> fromTemplate) {
    Map<String, EnvVar> env = new LinkedHashMap<>();
    fromTemplate.stream()
        .filter(variable -> !variable.getName().startsWith("GO_EA_"))
        .forEach(variable -> env.put(variable.getName(), variable));
    PodSettings.environmentVariables(launch.profile())
        .forEach((name, value) -> env.put(name, new EnvVar(name, value, null)));
    env.put(
        "GO_EA_SERVER_URL",
        new EnvVar("GO_EA_SERVER_URL", launch.goServerUrl().orElse(goServerUrl), null));
    env.put(
        "GO_EA_AUTO_REGISTER_ENVIRONMENT",
        new EnvVar("GO_EA_AUTO_REGISTER_ENVIRONMENT", launch.profile().environment(), null));
    env.put(
        "GO_EA_AUTO_REGISTER_ELASTIC_AGENT_ID",
        new EnvVar("GO_EA_AUTO_REGISTER_ELASTIC_AGENT_ID", launch.agentId(), null));
    env.put(
        "GO_EA_AUTO_REGISTER_ELASTIC_PLUGIN_ID",
        new EnvVar("GO_EA_AUTO_REGISTER_ELASTIC_PLUGIN_ID", launch.pluginId(), null));
    env.put(
        "GO_EA_AUTO_REGISTER_KEY",
        new EnvVarBuilder()
            .withName("GO_EA_AUTO_REGISTER_KEY")
            .withNewValueFrom()
            .withNewSecretKeyRef(KEY, launch.agentId(), false)
            .endValueFrom()
            .build());
    return List.copyOf(env.values());
  }

  static Optional<Quantity> quantity(String value) {
    return Optional.ofNullable(value).filter(v -> !v.isBlank()).map(v -> new Quantity(v.strip()));
  }
}
