package dev.elasticagents.agent.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.elasticagents.agent.AgentId;
import dev.elasticagents.agent.AgentLaunch;
import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.agent.AutoRegisterKey;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.testing.PodPhases;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Agents as pods, against fabric8's Kubernetes mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class KubernetesAgentProviderTest {

  static final String NAMESPACE = "gocd-agents";
  static final String KEY = "1e0e05fc-eb45-11e5-bc83-93882adfccf6";
  static final String PLUGIN = "dev.elasticagents.zeebe";

  static KubernetesClient client;

  private final KubernetesAgentProvider provider = provider(client);

  static KubernetesAgentProvider provider(KubernetesClient client) {
    return new KubernetesAgentProvider(client, properties(PodSecurityLevel.BASELINE), PLUGIN);
  }

  /** The operator of these tests allows the account gocd-agent, team labels and tolerations. */
  static KubernetesProperties properties(PodSecurityLevel level) {
    return new KubernetesProperties(
        "",
        NAMESPACE,
        "",
        false,
        "https://gocd.example.com/go",
        Duration.ofSeconds(30),
        Duration.ofMinutes(1),
        Duration.ofMinutes(2),
        "",
        "elastic-agent-workers",
        level,
        List.of("default", "gocd-agent"),
        List.of("build-cache"),
        List.of("team"),
        List.of("team.example.com/"),
        false,
        true,
        false);
  }

  static AgentLaunch launch(String agentId, Map<String, String> profile) {
    return new AgentLaunch(
        agentId,
        PLUGIN,
        new AutoRegisterKey(KEY),
        new AgentProfile("production", profile, true),
        "k8s-eu",
        Optional.of(new JobIdentifier(4242, "compile", 42, "42", "up42", 1, "build")),
        Optional.empty());
  }

  @Test
  void launchCreatesThePodWithLabelsAnnotationsEnvironmentAndResources() {
    String agent = AgentId.next();

    provider.launch(
        launch(
            agent,
            Map.of(
                "image",
                "gocd/gocd-agent-ubuntu-24.04:v25.3.0",
                "cpu",
                "500m",
                "memory",
                "1Gi",
                "cpu_limit",
                "2",
                "memory_limit",
                "4Gi",
                "environment_variables",
                "JAVA_OPTS=-Xmx1g",
                "node_selector",
                "kubernetes.io/arch=amd64",
                "service_account",
                "gocd-agent")));

    Pod pod = client.pods().inNamespace(NAMESPACE).withName(agent).get();
    System.out.println("The pod of agent " + agent + ":\n" + Serialization.asYaml(pod));
    assertThat(pod.getMetadata().getLabels())
        .containsEntry("elastic-agents.dev/created-by", PLUGIN)
        .containsEntry("elastic-agents.dev/agent-id", agent)
        .containsEntry("elastic-agents.dev/job-id", "4242")
        .containsEntry("elastic-agents.dev/cluster-profile", "k8s-eu");
    assertThat(pod.getMetadata().getAnnotations())
        .containsEntry("elastic-agents.dev/job-identifier", "up42/42/build/1/compile")
        .containsEntry("elastic-agents.dev/environment", "production")
        .containsKey("elastic-agents.dev/agent-profile");
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getSpec().getNodeSelector())
        .containsExactlyEntriesOf(Map.of("kubernetes.io/arch", "amd64"));
    assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("gocd-agent");
    var container = pod.getSpec().getContainers().getFirst();
    assertThat(container.getImage()).isEqualTo("gocd/gocd-agent-ubuntu-24.04:v25.3.0");
    assertThat(container.getResources().getRequests())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("cpu", new Quantity("500m"), "memory", new Quantity("1Gi")));
    assertThat(container.getResources().getLimits())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("cpu", new Quantity("2"), "memory", new Quantity("4Gi")));
    assertThat(
            container.getEnv().stream()
                .filter(env -> env.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue)))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "JAVA_OPTS", "-Xmx1g",
                "GO_EA_SERVER_URL", "https://gocd.example.com/go",
                "GO_EA_AUTO_REGISTER_ENVIRONMENT", "production",
                "GO_EA_AUTO_REGISTER_ELASTIC_AGENT_ID", agent,
                "GO_EA_AUTO_REGISTER_ELASTIC_PLUGIN_ID", PLUGIN));
  }

  @Test
  void theKeyIsInTheAgentsSecretOwnedByThePodAndNowhereInThePodSpec() {
    String agent = AgentId.next();

    provider.launch(launch(agent, Map.of("image", "gocd/gocd-agent-ubuntu-24.04:v25.3.0")));

    Pod pod = client.pods().inNamespace(NAMESPACE).withName(agent).get();
    EnvVar key =
        pod.getSpec().getContainers().getFirst().getEnv().stream()
            .filter(env -> env.getName().equals("GO_EA_AUTO_REGISTER_KEY"))
            .findFirst()
            .orElseThrow();
    assertThat(key.getValue()).isNull();
    assertThat(key.getValueFrom().getSecretKeyRef().getName()).isEqualTo(agent);
    assertThat(key.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("auto-register-key");
    assertThat(Serialization.asYaml(pod)).doesNotContain(KEY);
    assertThat(pod.getSpec().getAutomountServiceAccountToken())
        .as("no API token for a profile without a service account")
        .isFalse();
    Secret secret = client.secrets().inNamespace(NAMESPACE).withName(agent).get();
    assertThat(secretValue(secret)).isEqualTo(KEY);
    assertThat(secret.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            owner -> {
              assertThat(owner.getKind()).isEqualTo("Pod");
              assertThat(owner.getName()).isEqualTo(agent);
              assertThat(owner.getUid()).isEqualTo(pod.getMetadata().getUid());
            });
  }

  @Test
  void aRetriedLaunchFindsTheAgentsOwnPodAndSecret() {
    String agent = AgentId.next();
    AgentLaunch launch = launch(agent, Map.of("image", "gocd-agent"));

    provider.launch(launch);
    provider.launch(launch);

    assertThat(
            client
                .pods()
                .inNamespace(NAMESPACE)
                .withLabel("elastic-agents.dev/agent-id", agent)
                .list()
                .getItems())
        .hasSize(1);
  }

  @Test
  void aPodOfTheSameNameThatIsNotTheAgentsIsNeverTakenForIt() {
    String agent = AgentId.next();
    client
        .pods()
        .inNamespace(NAMESPACE)
        .resource(new PodBuilder().withNewMetadata().withName(agent).endMetadata().build())
        .create();

    assertThatThrownBy(() -> provider.launch(launch(agent, Map.of("image", "gocd-agent"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "A Pod named %s exists in namespace %s but is not this agent's", agent, NAMESPACE);
  }

  @Test
  void terminateAndDeleteRemoveThePodAndTheSecretAndRepeatingThemIsDone() {
    String agent = AgentId.next();
    provider.launch(launch(agent, Map.of("image", "gocd-agent")));

    for (int i = 0; i < 2; i++) {
      provider.disable(agent);
      provider.terminate(agent);
      provider.delete(agent);
    }

    assertThat(client.pods().inNamespace(NAMESPACE).withName(agent).get()).isNull();
    assertThat(client.secrets().inNamespace(NAMESPACE).withName(agent).get()).isNull();
  }

  @Test
  void runningAgentsAreThisPluginsPodsThatHaveNotEnded() {
    String running = AgentId.next();
    String failed = AgentId.next();
    provider.launch(launch(running, Map.of("image", "gocd-agent")));
    provider.launch(launch(failed, Map.of("image", "gocd-agent")));
    PodPhases.set(client, NAMESPACE, failed, "Failed");
    client
        .pods()
        .inNamespace(NAMESPACE)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("someone-elses")
                .addToLabels("elastic-agents.dev/agent-id", "someone-elses")
                .endMetadata()
                .build())
        .create();

    assertThat(provider.runningAgents()).contains(running).doesNotContain(failed, "someone-elses");
  }

  /**
   * A watcher whose watch is down keeps the cache it had: fabric8's informer leaves it so while it
   * reconnects and when it gives up after a watch error (stopped, its store kept). Stopping the
   * informer puts it in that state; the pod is created behind its back.
   */
  @Test
  void aPodCreatedWhileTheWatchersWatchIsDownIsRunningThoughTheWatchersCacheMissesIt() {
    SharedIndexInformer<Pod> informer =
        client.pods().inNamespace(NAMESPACE).withLabel(AgentPods.CREATED_BY, PLUGIN).inform();
    try {
      provider.watchedBy(informer);
      informer.stop();
      String agent = AgentId.next();

      provider.launch(launch(agent, Map.of("image", "gocd-agent")));

      assertThat(informer.hasSynced()).as("the cache has synced").isTrue();
      assertThat(informer.isWatching()).as("the watch is down").isFalse();
      assertThat(informer.getStore().list())
          .extracting(PodStates::agentId)
          .as("the cache")
          .doesNotContain(Optional.of(agent));
      assertThat(provider.runningAgents()).contains(agent);
    } finally {
      informer.stop();
    }
  }

  @Test
  void aPodTemplateGivesThePodItsShapeAndTheServiceItsLabelsAndVariables() {
    String agent = AgentId.next();
    String template =
        """
        apiVersion: v1
        kind: Pod
        metadata:
          labels:
            team: build
        spec:
          tolerations:
          - key: dedicated
            value: ci
          containers:
          - name: agent
            image: registry.example.com/gocd-agent:1
            env:
            - name: GO_EA_SERVER_URL
              value: https://evil.example.com/go
            - name: TEAM
              value: build
          - name: docker
            image: docker:dind
        """;

    provider.launch(launch(agent, Map.of("pod_template", template)));

    Pod pod = client.pods().inNamespace(NAMESPACE).withName(agent).get();
    assertThat(pod.getMetadata().getLabels())
        .containsEntry("team", "build")
        .containsEntry("elastic-agents.dev/agent-id", agent);
    assertThat(pod.getSpec().getTolerations()).hasSize(1);
    assertThat(pod.getSpec().getContainers())
        .extracting(c -> c.getName())
        .containsExactly("agent", "docker");
    Map<String, String> env =
        pod.getSpec().getContainers().getFirst().getEnv().stream()
            .filter(e -> e.getValue() != null)
            .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    assertThat(env)
        .containsEntry("TEAM", "build")
        .containsEntry("GO_EA_SERVER_URL", "https://gocd.example.com/go");
  }

  @Test
  void refusesProfilesItCannotRunNamingTheProperty() {
    assertThat(provider.problemsWith(new AgentProfile("", Map.of("cpu", "1"), true)))
        .containsExactly(
            "'elastic_agent_profile_properties.image' is required by the kubernetes provider (or a"
                + " 'pod_template')");
    assertThat(
            provider.problemsWith(
                new AgentProfile(
                    "", Map.of("pod_template", "kind: Pod\nspec:\n  containers: []\n"), true)))
        .containsExactly(
            "'elastic_agent_profile_properties.pod_template' must have a container: its first one"
                + " runs the agent");
    assertThat(
            provider.problemsWith(
                new AgentProfile("", Map.of("pod_template", "kind: Deployment\n"), true)))
        .singleElement()
        .asString()
        .startsWith("'elastic_agent_profile_properties.pod_template' must ");
    assertThat(
            provider.problemsWith(
                new AgentProfile("", Map.of("pod_template", "spec: [unclosed"), true)))
        .singleElement()
        .asString()
        .startsWith(
            "'elastic_agent_profile_properties.pod_template' must be a Kubernetes pod in YAML: ");
    assertThat(provider.problemsWith(new AgentProfile("", Map.of("image", "gocd-agent"), true)))
        .isEmpty();
  }

  @Test
  void anAgentBelongsToTheNamespaceNotToAServiceInstance() {
    assertThat(provider.owner()).isEqualTo("kubernetes:" + NAMESPACE);
  }

  @Test
  void theNamespaceIsSharedByEveryReplicaOfTheServiceWithTheConfiguredLaunchGrace() {
    assertThat(provider.scopeSharedByReplicas()).isTrue();
    assertThat(provider.launchGrace()).isEqualTo(Duration.ofMinutes(2));
  }

  private static String secretValue(Secret secret) {
    if (secret.getStringData() != null && secret.getStringData().containsKey("auto-register-key")) {
      return secret.getStringData().get("auto-register-key");
    }
    return new String(
        Base64.getDecoder().decode(secret.getData().get("auto-register-key")),
        StandardCharsets.UTF_8);
  }
}
