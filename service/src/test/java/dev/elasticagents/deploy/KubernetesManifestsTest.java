package dev.elasticagents.deploy;

import static dev.elasticagents.deploy.KubernetesManifests.one;
import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.agent.provider.kubernetes.KubernetesAgentProvider;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Deployment and what surrounds it, as kubectl kustomize builds the base and the production
 * overlay.
 */
class KubernetesManifestsTest {

  private static List<HasMetadata> base;
  private static List<HasMetadata> production;

  @BeforeAll
  static void build() throws Exception {
    base = KubernetesManifests.built().base();
    production = KubernetesManifests.built().production();
  }

  static Stream<Arguments> builds() throws Exception {
    return KubernetesManifests.built().arguments();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void holdsTheServiceItsIdentityAndItsSettingsButNoSecret(String name, List<HasMetadata> objects) {
    List<String> kinds =
        new ArrayList<>(
            List.of(
                "Namespace",
                "ServiceAccount",
                "Role",
                "RoleBinding",
                "ConfigMap",
                "Deployment",
                "Service",
                "PodDisruptionBudget"));
    if (name.equals("production")) {
      kinds.add("Ingress");
    }

    assertThat(objects).extracting(HasMetadata::getKind).containsExactlyInAnyOrderElementsOf(kinds);
  }

  @Test
  void productionTerminatesTlsAtAnIngressThatRoutesTheGoCdEndpointOnly() {
    Ingress ingress = one(production, Ingress.class);

    assertThat(ingress.getSpec().getTls())
        .singleElement()
        .satisfies(tls -> assertThat(tls.getSecretName()).isEqualTo("elastic-agent-workers-tls"));
    assertThat(ingress.getSpec().getRules())
        .flatExtracting(rule -> rule.getHttp().getPaths())
        .singleElement()
        .satisfies(
            path -> {
              assertThat(path.getPath()).isEqualTo("/gocd/");
              assertThat(path.getBackend().getService().getName())
                  .isEqualTo(one(production, Service.class).getMetadata().getName());
              assertThat(path.getBackend().getService().getPort().getName()).isEqualTo("http");
            });
  }

  @Test
  void productionVerifiesTheDatabaseServersCertificateAgainstAMountedCa() {
    String url = one(production, ConfigMap.class).getData().get("SPRING_DATASOURCE_URL");
    Container workers = container(production);

    assertThat(url).contains("sslmode=verify-full").contains("sslrootcert=");
    String caFile = url.substring(url.indexOf("sslrootcert=") + "sslrootcert=".length());
    assertThat(workers.getVolumeMounts())
        .anySatisfy(mount -> assertThat(caFile).startsWith(mount.getMountPath() + "/"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void asksForTheClustersTokensOverHttps(String name, List<HasMetadata> objects) {
    assertThat(one(objects, ConfigMap.class).getData().get("CAMUNDA_CLIENT_AUTH_TOKEN_URL"))
        .startsWith("https://");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void probesAskTheLivenessAndReadinessGroupsOnTheManagementPort(
      String name, List<HasMetadata> objects) {
    Container workers = container(objects);

    assertThat(workers.getPorts())
        .extracting(port -> port.getName() + " " + port.getContainerPort())
        .containsExactly("http 8080", "management 8081");
    assertThat(pathAndPort(workers.getStartupProbe()))
        .isEqualTo("/actuator/health/liveness management");
    assertThat(pathAndPort(workers.getLivenessProbe()))
        .isEqualTo("/actuator/health/liveness management");
    assertThat(pathAndPort(workers.getReadinessProbe()))
        .isEqualTo("/actuator/health/readiness management");
    assertThat(workers.getReadinessProbe().getTimeoutSeconds())
        .as("above the cluster's 3 s and the registry's 2 s")
        .isGreaterThan(5);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void runsAsUser10001WithAReadOnlyRootFileSystemAndNoPrivileges(
      String name, List<HasMetadata> objects) {
    PodSpec pod = one(objects, Deployment.class).getSpec().getTemplate().getSpec();
    Container workers = container(objects);

    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(workers.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(workers.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(workers.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    // The only writable place is /tmp; anything else mounted (the database's CA) is read-only.
    assertThat(workers.getVolumeMounts())
        .filteredOn(mount -> !Boolean.TRUE.equals(mount.getReadOnly()))
        .singleElement()
        .satisfies(mount -> assertThat(mount.getMountPath()).isEqualTo("/tmp"));
    assertThat(pod.getVolumes())
        .filteredOn(volume -> volume.getEmptyDir() != null)
        .singleElement()
        .satisfies(volume -> assertThat(volume.getName()).isEqualTo("tmp"));
    assertThat(pod.getVolumes())
        .as("no host path is mounted")
        .allSatisfy(volume -> assertThat(volume.getHostPath()).isNull());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void givesTheServiceMoreTimeToStopThanItsDrainAndEachShutdownPhase(
      String name, List<HasMetadata> objects) {
    Map<String, String> settings = one(objects, ConfigMap.class).getData();
    Duration drain = Duration.parse(settings.get("JOB_WORKERS_SHUTDOWN_GRACE_PERIOD"));
    Duration phase =
        Duration.ofSeconds(
            Long.parseLong(
                settings.get("SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE").replace("s", "")));
    long grace =
        one(objects, Deployment.class)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getTerminationGracePeriodSeconds();

    assertThat(phase).isGreaterThan(drain);
    assertThat(Duration.ofSeconds(grace)).isGreaterThan(phase).isEqualTo(Duration.ofSeconds(60));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void letsTheKubernetesProviderManageAgentPodsAndSecretsInTheAgentsNamespaceOnly(
      String name, List<HasMetadata> objects) {
    List<PolicyRule> rules = one(objects, Role.class).getRules();

    assertThat(one(objects, Role.class).getMetadata().getNamespace()).isEqualTo("elastic-agents");
    assertThat(rules).allSatisfy(rule -> assertThat(rule.getApiGroups()).containsExactly(""));
    assertThat(rules)
        .extracting(rule -> Map.entry(rule.getResources(), rule.getVerbs()))
        .containsExactlyInAnyOrder(
            Map.entry(List.of("pods"), List.of("get", "list", "watch", "create", "delete")),
            Map.entry(List.of("secrets"), List.of("get", "create", "delete")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void agentsRunInANamespaceOfTheirOwnUnderPodSecurityAdmission(
      String name, List<HasMetadata> objects) {
    Namespace agents = one(objects, Namespace.class);
    String service = one(objects, Deployment.class).getMetadata().getNamespace();

    assertThat(agents.getMetadata().getName()).isEqualTo("elastic-agents").isNotEqualTo(service);
    assertThat(agents.getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "baseline")
        .containsEntry("pod-security.kubernetes.io/warn", "restricted")
        .containsEntry("pod-security.kubernetes.io/audit", "restricted");
    assertThat(one(objects, RoleBinding.class).getMetadata().getNamespace())
        .isEqualTo("elastic-agents");
  }

  @Test
  void productionPointsTheProviderAtTheAgentsNamespaceAndBindsTheServicesAccountThere() {
    Map<String, String> settings = one(production, ConfigMap.class).getData();

    assertThat(settings).containsEntry("ELASTIC_AGENTS_KUBERNETES_NAMESPACE", "elastic-agents");
    assertThat(one(production, RoleBinding.class).getSubjects())
        .singleElement()
        .satisfies(subject -> assertThat(subject.getNamespace()).isEqualTo("ci-agents"));
    assertThat(
            one(production, Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getAutomountServiceAccountToken())
        .as("the kubernetes provider's credential")
        .isTrue();
    assertThat(
            one(base, Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getAutomountServiceAccountToken())
        .as("the local provider calls no API server")
        .isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void tellsTheProviderTheServicesOwnNamespaceAndAccount(String name, List<HasMetadata> objects) {
    Map<String, String> fields =
        container(objects).getEnv().stream()
            .filter(env -> env.getValueFrom() != null && env.getValueFrom().getFieldRef() != null)
            .collect(
                java.util.stream.Collectors.toMap(
                    env -> env.getName(), env -> env.getValueFrom().getFieldRef().getFieldPath()));

    assertThat(fields)
        .containsEntry("ELASTIC_AGENTS_KUBERNETES_SERVICE_NAMESPACE", "metadata.namespace")
        .containsEntry("ELASTIC_AGENTS_KUBERNETES_SERVICE_ACCOUNT", "spec.serviceAccountName");
  }

  /** The provider refuses template labels its own Service, Deployment and budget select on. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void theProviderKnowsEveryLabelTheServiceSelectsOn(String name, List<HasMetadata> objects) {
    assertThat(KubernetesAgentProvider.SERVICE_SELECTOR)
        .containsAllEntriesOf(one(objects, Service.class).getSpec().getSelector())
        .containsAllEntriesOf(
            one(objects, Deployment.class).getSpec().getSelector().getMatchLabels())
        .containsAllEntriesOf(
            one(objects, PodDisruptionBudget.class).getSpec().getSelector().getMatchLabels());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void bindsTheRoleToTheServiceAccountTheDeploymentRunsAs(String name, List<HasMetadata> objects) {
    RoleBinding binding = one(objects, RoleBinding.class);
    String serviceAccount =
        one(objects, Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName();

    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getRoleRef().getName())
        .isEqualTo(one(objects, Role.class).getMetadata().getName());
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            subject -> {
              assertThat(subject.getKind()).isEqualTo("ServiceAccount");
              assertThat(subject.getName()).isEqualTo(serviceAccount);
            });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void requestsCpuAndMemoryAndLimitsMemory(String name, List<HasMetadata> objects) {
    Map<String, Quantity> requests = container(objects).getResources().getRequests();
    Map<String, Quantity> limits = container(objects).getResources().getLimits();

    assertThat(requests).containsKeys("cpu", "memory");
    assertThat(Quantity.getAmountInBytes(limits.get("memory")))
        .isGreaterThanOrEqualTo(Quantity.getAmountInBytes(requests.get("memory")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void theServiceAndTheDisruptionBudgetSelectTheDeploymentsPods(
      String name, List<HasMetadata> objects) {
    Map<String, String> pods =
        one(objects, Deployment.class).getSpec().getTemplate().getMetadata().getLabels();

    assertThat(pods).containsAllEntriesOf(one(objects, Service.class).getSpec().getSelector());
    assertThat(pods)
        .containsAllEntriesOf(
            one(objects, PodDisruptionBudget.class).getSpec().getSelector().getMatchLabels());
    assertThat(one(objects, Service.class).getSpec().getPorts())
        .singleElement()
        .satisfies(port -> assertThat(port.getTargetPort().getStrVal()).isEqualTo("http"));
  }

  static Container container(List<HasMetadata> objects) {
    return one(objects, Deployment.class)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .getFirst();
  }

  private static String pathAndPort(Probe probe) {
    return probe.getHttpGet().getPath() + " " + probe.getHttpGet().getPort().getStrVal();
  }
}
