package dev.elasticagents.deploy;

import static dev.elasticagents.deploy.KubernetesManifests.one;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What the manifests configure the service with, and where its secrets come from. */
class KubernetesSettingsTest {

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
  void setsOnlyEnvironmentVariablesThatArePropertiesOfTheService(
      String name, List<HasMetadata> objects) {
    KnownProperties known = KnownProperties.onTheClasspath();
    Stream<String> variables =
        Stream.concat(
            environment(objects).stream().map(EnvVar::getName),
            one(objects, ConfigMap.class).getData().keySet().stream());

    assertThat(variables)
        .isNotEmpty()
        .allSatisfy(variable -> assertThat(known.knows(variable)).as(variable).isTrue());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void takesTheDatabaseTheClusterAndTheGoCdCredentialsFromSecretsTheExampleShows(
      String name, List<HasMetadata> objects) throws Exception {
    List<Secret> examples =
        KubernetesManifests.all(
            KubernetesManifests.read(KubernetesManifests.SECRETS_EXAMPLE), Secret.class);
    Map<String, SecretKeySelector> fromSecrets =
        environment(objects).stream()
            .filter(
                variable ->
                    variable.getValueFrom() != null
                        && variable.getValueFrom().getSecretKeyRef() != null)
            .collect(
                Collectors.toMap(
                    EnvVar::getName, variable -> variable.getValueFrom().getSecretKeyRef()));

    assertThat(fromSecrets)
        .containsKeys(
            "SPRING_DATASOURCE_USERNAME",
            "SPRING_DATASOURCE_PASSWORD",
            "CAMUNDA_CLIENT_AUTH_CLIENT_ID",
            "CAMUNDA_CLIENT_AUTH_CLIENT_SECRET",
            "GOCD_ENDPOINT_TOKEN");
    assertThat(fromSecrets.values())
        .allSatisfy(
            reference ->
                assertThat(examples)
                    .as("secret %s, key %s", reference.getName(), reference.getKey())
                    .anyMatch(
                        secret ->
                            secret.getMetadata().getName().equals(reference.getName())
                                && secret.getStringData().containsKey(reference.getKey())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void keepsNothingSecretInTheConfigMap(String name, List<HasMetadata> objects) {
    assertThat(one(objects, ConfigMap.class).getData().keySet())
        .noneMatch(key -> key.matches(".*(PASSWORD|SECRET|TOKEN|USERNAME|CLIENT_ID)$"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void givesEachPodAnInstanceIdOfItsOwn(String name, List<HasMetadata> objects) {
    assertThat(environment(objects))
        .filteredOn(variable -> variable.getName().equals("ELASTIC_AGENTS_INSTANCE_ID"))
        .singleElement()
        .satisfies(
            variable ->
                assertThat(variable.getValueFrom().getFieldRef().getFieldPath())
                    .isEqualTo("metadata.name"));
  }

  @Test
  void productionRunsSeveralReplicasOfTheKubernetesProviderOnPostgres() {
    Map<String, String> settings = one(production, ConfigMap.class).getData();

    assertThat(settings).containsEntry("ELASTIC_AGENTS_PROVIDER", "kubernetes");
    assertThat(settings.get("SPRING_DATASOURCE_URL")).startsWith("jdbc:postgresql://");
    assertThat(one(production, Deployment.class).getSpec().getReplicas()).isGreaterThan(1);
    assertThat(production)
        .filteredOn(object -> !"elastic-agents".equals(object.getMetadata().getNamespace()))
        .filteredOn(object -> !object.getKind().equals("Namespace"))
        .hasSize(6)
        .allSatisfy(
            object -> assertThat(object.getMetadata().getNamespace()).isEqualTo("ci-agents"));
  }

  @Test
  void theSecretsExampleHoldsPlaceholdersOnlyAndIsNoPartOfTheBuild() throws Exception {
    List<Secret> examples =
        KubernetesManifests.all(
            KubernetesManifests.read(KubernetesManifests.SECRETS_EXAMPLE), Secret.class);

    assertThat(examples)
        .hasSize(3)
        .allSatisfy(
            secret ->
                assertThat(secret.getStringData())
                    .allSatisfy(
                        (key, value) -> {
                          if (key.matches("password|client-secret|token")) {
                            assertThat(value).isEqualTo("example-placeholder-not-a-secret");
                          }
                        }));
    assertThat(Stream.concat(base.stream(), production.stream()))
        .noneMatch(Secret.class::isInstance);
  }

  private static List<EnvVar> environment(List<HasMetadata> objects) {
    return KubernetesManifestsTest.container(objects).getEnv();
  }
}
