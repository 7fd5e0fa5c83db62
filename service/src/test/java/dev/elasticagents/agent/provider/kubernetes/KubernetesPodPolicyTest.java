package dev.elasticagents.agent.provider.kubernetes;

import static dev.elasticagents.agent.provider.kubernetes.KubernetesAgentProviderTest.NAMESPACE;
import static dev.elasticagents.agent.provider.kubernetes.KubernetesAgentProviderTest.PLUGIN;
import static dev.elasticagents.agent.provider.kubernetes.KubernetesAgentProviderTest.launch;
import static dev.elasticagents.agent.provider.kubernetes.KubernetesAgentProviderTest.properties;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.elasticagents.agent.AgentId;
import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.runtime.InvalidJobVariablesException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The operator's pod policy: what a profile author or a Zeebe user may not give an agent pod,
 * refused before anything is reserved, each refusal naming its field.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesPodPolicyTest {

  static KubernetesClient client;

  private final KubernetesAgentProvider baseline = KubernetesAgentProviderTest.provider(client);
  private final KubernetesAgentProvider restricted =
      new KubernetesAgentProvider(client, properties(PodSecurityLevel.RESTRICTED), PLUGIN);

  /** A template whose agent container runs {@code image: gocd-agent}, with {@code extra}. */
  private static String template(String podExtra, String containerExtra) {
    return """
    apiVersion: v1
    kind: Pod
    %s
      containers:
      - name: agent
        image: gocd-agent
    %s
    """
        .formatted(podExtra.isEmpty() ? "spec:" : podExtra, containerExtra);
  }

  private static String spec(String lines) {
    return "spec:\n" + lines.indent(2).stripTrailing();
  }

  private static String container(String lines) {
    return lines.indent(4).stripTrailing();
  }

  private static AgentProfile profile(String template) {
    return new AgentProfile("", Map.of("pod_template", template), true);
  }

  static Stream<Arguments> refusedByBaseline() {
    return Stream.of(
        Arguments.of(
            template("", container("securityContext:\n  privileged: true")),
            "pod_template: spec.containers[0].securityContext.privileged is not allowed by the"
                + " baseline pod security level"),
        Arguments.of(
            template(spec("hostNetwork: true"), ""),
            "pod_template: spec.hostNetwork is not allowed by the baseline pod security level"),
        Arguments.of(
            template(spec("hostPID: true"), ""),
            "pod_template: spec.hostPID is not allowed by the baseline pod security level"),
        Arguments.of(
            template(spec("hostIPC: true"), ""),
            "pod_template: spec.hostIPC is not allowed by the baseline pod security level"),
        Arguments.of(
            template("", container("ports:\n- containerPort: 80\n  hostPort: 80")),
            "pod_template: spec.containers[0].ports[0].hostPort (80) is not allowed by the"
                + " baseline pod security level"),
        Arguments.of(
            template(spec("volumes:\n- name: root\n  hostPath:\n    path: /"), ""),
            "pod_template: spec.volumes[0].hostPath is not allowed by the baseline pod security"
                + " level"),
        Arguments.of(
            template("", container("securityContext:\n  capabilities:\n    add: [SYS_ADMIN]")),
            "pod_template: spec.containers[0].securityContext.capabilities.add[0] (SYS_ADMIN) is"
                + " not allowed by the baseline pod security level"),
        Arguments.of(
            template(
                spec("securityContext:\n  sysctls:\n  - name: kernel.msgmax\n    value: \"1\""),
                ""),
            "pod_template: spec.securityContext.sysctls[0].name (kernel.msgmax) is not allowed by"
                + " the baseline pod security level"),
        Arguments.of(
            template("", container("securityContext:\n  procMount: Unmasked")),
            "pod_template: spec.containers[0].securityContext.procMount (Unmasked) is not allowed"
                + " by the baseline pod security level"),
        Arguments.of(
            template("", container("securityContext:\n  seLinuxOptions:\n    type: spc_t")),
            "pod_template: spec.containers[0].securityContext.seLinuxOptions.type (spc_t) is not"
                + " allowed by the baseline pod security level"),
        Arguments.of(
            template(spec("securityContext:\n  seLinuxOptions:\n    user: system_u"), ""),
            "pod_template: spec.securityContext.seLinuxOptions.user (system_u) is not allowed by"
                + " the baseline pod security level"),
        Arguments.of(
            template("", container("securityContext:\n  appArmorProfile:\n    type: Unconfined")),
            "pod_template: spec.containers[0].securityContext.appArmorProfile.type (Unconfined)"
                + " is not allowed by the baseline pod security level"),
        Arguments.of(
            template(spec("securityContext:\n  seccompProfile:\n    type: Unconfined"), ""),
            "pod_template: spec.securityContext.seccompProfile.type (Unconfined) is not allowed"
                + " by the baseline pod security level"),
        Arguments.of(
            template("", container("securityContext:\n  windowsOptions:\n    hostProcess: true")),
            "pod_template: spec.containers[0].securityContext.windowsOptions.hostProcess is not"
                + " allowed by the baseline pod security level"),
        Arguments.of(
            "kind: Pod\nspec:\n  initContainers:\n  - name: init\n    image: busybox\n"
                + "    securityContext:\n      privileged: true\n  containers:\n"
                + "  - name: agent\n    image: gocd-agent\n",
            "pod_template: spec.initContainers[0].securityContext.privileged is not allowed by"
                + " the baseline pod security level"),
        Arguments.of(
            template(spec("nodeName: node-1"), ""),
            "pod_template: spec.nodeName is not allowed: the operator leaves placing pods to the"
                + " scheduler (elastic-agents.kubernetes.allow-node-name)"),
        Arguments.of(
            template(spec("automountServiceAccountToken: true"), ""),
            "pod_template: spec.automountServiceAccountToken is not allowed: the operator keeps"
                + " service account tokens out of agent pods"
                + " (elastic-agents.kubernetes.automount-service-account-token)"),
        Arguments.of(
            template(spec("serviceAccountName: elastic-agent-workers"), ""),
            "pod_template: spec.serviceAccountName: 'elastic-agent-workers' is not allowed: it is"
                + " the service's own service account"),
        Arguments.of(
            template(spec("serviceAccountName: cluster-admin"), ""),
            "pod_template: spec.serviceAccountName: 'cluster-admin' is not allowed: the operator"
                + " allows the service accounts default, gocd-agent"
                + " (elastic-agents.kubernetes.allowed-service-accounts)"),
        Arguments.of(
            template(
                spec("volumes:\n- name: s\n  secret:\n    secretName: elastic-agent-workers-gocd"),
                ""),
            "pod_template: spec.volumes[0].secret.secretName (elastic-agent-workers-gocd) is not"
                + " allowed: the operator allows the Secrets build-cache"
                + " (elastic-agents.kubernetes.allowed-secret-volumes)"),
        Arguments.of(
            template(
                spec(
                    "volumes:\n- name: s\n  projected:\n    sources:\n    - secret:\n"
                        + "        name: elastic-agent-workers-database"),
                ""),
            "pod_template: spec.volumes[0].projected.sources[0].secret.name"
                + " (elastic-agent-workers-database) is not allowed: the operator allows the"
                + " Secrets build-cache (elastic-agents.kubernetes.allowed-secret-volumes)"),
        Arguments.of(
            template(
                spec(
                    "volumes:\n- name: t\n  projected:\n    sources:\n"
                        + "    - serviceAccountToken:\n        path: token"),
                ""),
            "pod_template: spec.volumes[0].projected.sources[0].serviceAccountToken is not"
                + " allowed: the operator keeps service account tokens out of agent pods"
                + " (elastic-agents.kubernetes.automount-service-account-token)"),
        Arguments.of(
            template(
                "",
                container(
                    "env:\n- name: TOKEN\n  valueFrom:\n    secretKeyRef:\n"
                        + "      name: elastic-agent-workers-gocd\n      key: token")),
            "pod_template: spec.containers[0].env[0].valueFrom.secretKeyRef.name"
                + " (elastic-agent-workers-gocd) is not allowed: the operator allows the Secrets"
                + " build-cache (elastic-agents.kubernetes.allowed-secret-volumes)"),
        Arguments.of(
            template("", container("envFrom:\n- secretRef:\n    name: other-agent")),
            "pod_template: spec.containers[0].envFrom[0].secretRef.name (other-agent) is not"
                + " allowed: the operator allows the Secrets build-cache"
                + " (elastic-agents.kubernetes.allowed-secret-volumes)"),
        Arguments.of(
            "metadata:\n  labels:\n    app.kubernetes.io/name: elastic-agent-workers\n"
                + template("", ""),
            "pod_template: metadata.labels['app.kubernetes.io/name'] is not allowed: it is the"
                + " label the service's own Service and Deployment select on"),
        Arguments.of(
            "metadata:\n  labels:\n    elastic-agents.dev/agent-id: other\n" + template("", ""),
            "pod_template: metadata.labels['elastic-agents.dev/agent-id'] is not allowed: the"
                + " provider sets the elastic-agents.dev/ labels"),
        Arguments.of(
            "metadata:\n  labels:\n    owner: me\n" + template("", ""),
            "pod_template: metadata.labels['owner'] is not allowed: the operator allows labels"
                + " under team (elastic-agents.kubernetes.allowed-label-prefixes)"),
        Arguments.of(
            "metadata:\n  annotations:\n    example.com/x: y\n" + template("", ""),
            "pod_template: metadata.annotations['example.com/x'] is not allowed: the operator"
                + " allows annotations under team.example.com/"
                + " (elastic-agents.kubernetes.allowed-annotation-prefixes)"),
        Arguments.of(
            "metadata:\n  finalizers: [example.com/keep]\n" + template("", ""),
            "pod_template: metadata.finalizers is not allowed"),
        Arguments.of(
            "metadata:\n  ownerReferences:\n  - apiVersion: apps/v1\n"
                + "    kind: Deployment\n    name: elastic-agent-workers\n    uid: x\n"
                + template("", ""),
            "pod_template: metadata.ownerReferences is not allowed"),
        Arguments.of(
            "metadata:\n  name: elastic-agent-workers\n" + template("", ""),
            "pod_template: metadata.name is not allowed: the provider names the pod"),
        Arguments.of(
            "metadata:\n  namespace: kube-system\n" + template("", ""),
            "pod_template: metadata.namespace is not allowed: agents run in the namespace the"
                + " operator configured"),
        Arguments.of(
            "metadata:\n  generateName: x-\n" + template("", ""),
            "pod_template: metadata.generateName is not allowed: the provider names the pod"));
  }

  @ParameterizedTest
  @MethodSource("refusedByBaseline")
  void refusesBeforeAnythingIsReservedNamingTheField(String template, String refusal) {
    assertThat(baseline.problemsWith(profile(template))).contains(refusal);
  }

  @ParameterizedTest
  @MethodSource("refusedByBaseline")
  void launchRefusesTheSameAndCreatesNothing(String template, String refusal) {
    String agent = AgentId.next();

    assertThatThrownBy(() -> baseline.launch(launch(agent, Map.of("pod_template", template))))
        .isInstanceOf(InvalidJobVariablesException.class)
        .satisfies(
            e -> assertThat(((InvalidJobVariablesException) e).problems()).contains(refusal));
    assertThat(client.pods().inNamespace(NAMESPACE).withName(agent).get()).isNull();
    assertThat(client.secrets().inNamespace(NAMESPACE).withName(agent).get()).isNull();
  }

  @Test
  void refusesAServiceAccountOfTheProfileTheOperatorDoesNotList() {
    assertThat(
            baseline.problemsWith(
                new AgentProfile(
                    "", Map.of("image", "gocd-agent", "service_account", "cluster-admin"), true)))
        .containsExactly(
            "service_account: 'cluster-admin' is not allowed: the operator allows the service"
                + " accounts default, gocd-agent"
                + " (elastic-agents.kubernetes.allowed-service-accounts)");
  }

  @Test
  void refusesTheServicesOwnServiceAccountEvenWhenTheOperatorListsIt() {
    KubernetesAgentProvider listing =
        new KubernetesAgentProvider(
            client,
            withAccounts(properties(PodSecurityLevel.BASELINE), "elastic-agent-workers"),
            PLUGIN);

    assertThat(
            listing.problemsWith(
                new AgentProfile(
                    "",
                    Map.of("image", "gocd-agent", "service_account", "elastic-agent-workers"),
                    true)))
        .containsExactly(
            "service_account: 'elastic-agent-workers' is not allowed: it is the service's own"
                + " service account");
  }

  static Stream<Arguments> refusedByRestrictedOnly() {
    return Stream.of(
        Arguments.of(
            template("", container("securityContext:\n  allowPrivilegeEscalation: true")),
            "pod_template: spec.containers[0].securityContext.allowPrivilegeEscalation (not"
                + " false) is not allowed by the restricted pod security level"),
        Arguments.of(
            template(spec("securityContext:\n  runAsNonRoot: false"), ""),
            "pod_template: spec.securityContext.runAsNonRoot (false) is not allowed by the"
                + " restricted pod security level"),
        Arguments.of(
            template("", container("securityContext:\n  runAsUser: 0")),
            "pod_template: spec.containers[0].securityContext.runAsUser (0) is not allowed by"
                + " the restricted pod security level"),
        Arguments.of(
            template("", container("securityContext:\n  capabilities:\n    drop: [NET_RAW]")),
            "pod_template: spec.containers[0].securityContext.capabilities.drop (without ALL) is"
                + " not allowed by the restricted pod security level"),
        Arguments.of(
            template(
                "",
                container("securityContext:\n  capabilities:\n    drop: [ALL]\n    add: [CHOWN]")),
            "pod_template: spec.containers[0].securityContext.capabilities.add[0] (CHOWN) is not"
                + " allowed by the restricted pod security level"),
        Arguments.of(
            template(spec("volumes:\n- name: n\n  nfs:\n    server: nfs\n    path: /"), ""),
            "pod_template: spec.volumes[0].nfs is not allowed by the restricted pod security"
                + " level"));
  }

  @ParameterizedTest
  @MethodSource("refusedByRestrictedOnly")
  void theRestrictedLevelRefusesMore(String template, String refusal) {
    assertThat(restricted.problemsWith(profile(template))).contains(refusal);
    assertThat(baseline.problemsWith(profile(template))).doesNotContain(refusal);
  }

  static Stream<Arguments> allowed() {
    return Stream.of(
        Arguments.of("an image only", Map.of("image", "gocd-agent")),
        Arguments.of(
            "a listed service account",
            Map.of("image", "gocd-agent", "service_account", "gocd-agent")),
        Arguments.of(
            "baseline capabilities, safe sysctls, a listed Secret, team labels, tolerations",
            Map.of(
                "pod_template",
                """
                kind: Pod
                metadata:
                  labels:
                    team: build
                  annotations:
                    team.example.com/owner: ci
                spec:
                  tolerations:
                  - key: dedicated
                    value: ci
                  securityContext:
                    sysctls:
                    - name: net.ipv4.ip_local_port_range
                      value: "1024 65535"
                  volumes:
                  - name: cache
                    secret:
                      secretName: build-cache
                  - name: work
                    emptyDir: {}
                  containers:
                  - name: agent
                    image: gocd-agent
                    securityContext:
                      capabilities:
                        add: [CHOWN, NET_BIND_SERVICE]
                      seLinuxOptions:
                        type: container_t
                """)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allowed")
  void allowsWhatTheBaselineAndTheOperatorAllowAndLaunchesIt(
      String name, Map<String, String> properties) {
    String agent = AgentId.next();

    assertThat(baseline.problemsWith(new AgentProfile("", properties, true))).isEmpty();
    baseline.launch(launch(agent, properties));

    assertThat(client.pods().inNamespace(NAMESPACE).withName(agent).get()).isNotNull();
  }

  @Test
  void theRestrictedLevelHardensAPodWhoseTemplateSaysNothingAndLaunchesIt() {
    String agent = AgentId.next();
    AgentProfile profile = new AgentProfile("", Map.of("image", "gocd-agent"), true);

    assertThat(restricted.problemsWith(profile)).isEmpty();
    restricted.launch(launch(agent, Map.of("image", "gocd-agent")));

    Pod pod = client.pods().inNamespace(NAMESPACE).withName(agent).get();
    assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSpec().getSecurityContext().getSeccompProfile().getType())
        .isEqualTo("RuntimeDefault");
    var context = pod.getSpec().getContainers().getFirst().getSecurityContext();
    assertThat(context.getAllowPrivilegeEscalation()).isFalse();
    assertThat(context.getCapabilities().getDrop()).containsExactly("ALL");
  }

  @Test
  void agentPodsGetNoServiceAccountTokenUnlessTheOperatorSaysSo() {
    String agent = AgentId.next();

    baseline.launch(launch(agent, Map.of("image", "gocd-agent", "service_account", "gocd-agent")));

    assertThat(
            client
                .pods()
                .inNamespace(NAMESPACE)
                .withName(agent)
                .get()
                .getSpec()
                .getAutomountServiceAccountToken())
        .isFalse();
  }

  @Test
  void theCreatedPodNeverCarriesTheServicesSelectorLabel() {
    String agent = AgentId.next();
    String template =
        "metadata:\n  labels:\n    app.kubernetes.io/name: elastic-agent-workers\n"
            + template("", "");

    assertThatThrownBy(() -> baseline.launch(launch(agent, Map.of("pod_template", template))))
        .isInstanceOf(InvalidJobVariablesException.class);

    assertThat(
            client
                .pods()
                .inNamespace(NAMESPACE)
                .withLabel("app.kubernetes.io/name", "elastic-agent-workers")
                .list()
                .getItems())
        .isEmpty();
  }

  @Test
  void refusesToStartWhenAgentsWouldRunInTheServicesOwnNamespace(@TempDir Path pod)
      throws Exception {
    Path namespaceFile = Files.writeString(pod.resolve("namespace"), NAMESPACE + "\n");
    KubernetesProperties settings = properties(PodSecurityLevel.BASELINE);

    assertThat(KubernetesAgentProvider.serviceNamespace(settings, namespaceFile))
        .contains(NAMESPACE);
    assertThatThrownBy(
            () ->
                new KubernetesAgentProvider(
                    client,
                    settings,
                    PLUGIN,
                    KubernetesAgentProvider.serviceNamespace(settings, namespaceFile)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the service's own namespace");
    assertThat(KubernetesAgentProvider.serviceNamespace(settings, pod.resolve("no-such-file")))
        .isEmpty();
    new KubernetesAgentProvider(client, settings, PLUGIN, Optional.of("elastic-agent-workers"));
  }

  private static KubernetesProperties withAccounts(KubernetesProperties p, String... accounts) {
    return new KubernetesProperties(
        p.apiUrl(),
        p.namespace(),
        p.token(),
        p.trustCerts(),
        p.goServerUrl(),
        p.deletionGracePeriod(),
        p.resyncPeriod(),
        p.launchGrace(),
        p.serviceNamespace(),
        p.serviceAccount(),
        p.podSecurityLevel(),
        java.util.List.of(accounts),
        p.allowedSecretVolumes(),
        p.allowedLabelPrefixes(),
        p.allowedAnnotationPrefixes(),
        p.allowNodeName(),
        p.allowTolerations(),
        p.automountServiceAccountToken());
  }
}
