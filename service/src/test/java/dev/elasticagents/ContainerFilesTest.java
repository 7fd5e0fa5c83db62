package dev.elasticagents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.deploy.KnownProperties;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The image and compose files, checked without a container engine. */
class ContainerFilesTest {

  private static final Path ROOT = Path.of("").toAbsolutePath();

  @Test
  void theImageStartsWithTheAheadOfTimeCacheItsTrainingRunWrites() throws IOException {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));

    assertThat(dockerfile)
        .contains("-XX:AOTCacheOutput=elastic-agent-workers.aot -Dspring.context.exit=onRefresh")
        .contains("\"-XX:AOTCache=elastic-agent-workers.aot\"")
        .contains("\"-jar\", \"elastic-agent-workers.jar\"]")
        .contains("--application-filename elastic-agent-workers.jar");
  }

  @Test
  void composeConfiguresTheWorkersOnlyWithPropertiesTheServiceKnows() throws IOException {
    KnownProperties known = KnownProperties.onTheClasspath();

    assertThat(workers().get("environment").keySet())
        .isNotEmpty()
        .allSatisfy(name -> assertThat(known.knows(name)).as(name).isTrue());
  }

  @Test
  void composePointsTheWorkersAtTheOrchestrationClusterPorts() throws IOException {
    Map<String, Object> environment = workers().get("environment");

    assertThat(environment)
        .containsEntry("CAMUNDA_CLIENT_GRPC_ADDRESS", "http://orchestration:26500")
        .containsEntry("CAMUNDA_CLIENT_REST_ADDRESS", "http://orchestration:8080")
        .containsEntry("CAMUNDA_CLIENT_PREFER_REST_OVER_GRPC", "false");
    assertThat(services().get("orchestration").get("ports").toString())
        .contains("26500:26500", "8088:8080");
  }

  @Test
  void composePublishesEveryPortOnTheLoopbackInterfaceOnly() throws IOException {
    // The local development defaults (demo users, well-known passwords) must not be reachable
    // from the network the machine is on.
    List<String> published =
        services().values().stream()
            .filter(service -> service.containsKey("ports"))
            .flatMap(service -> ((List<?>) service.get("ports")).stream())
            .map(String::valueOf)
            .toList();

    assertThat(published)
        .isNotEmpty()
        .allSatisfy(port -> assertThat(port).startsWith("127.0.0.1:"));
  }

  @Test
  void composeAuthenticatesTheWorkersAsTheUserTheClusterCreates() throws IOException {
    Map<String, Object> workers = workers().get("environment");
    Map<String, Object> cluster = environmentOf("orchestration");

    assertThat(cluster).containsEntry("CAMUNDA_SECURITY_AUTHENTICATION_UNPROTECTEDAPI", "false");
    assertThat(workers).containsEntry("CAMUNDA_CLIENT_AUTH_METHOD", "basic");
    assertThat(cluster)
        .containsEntry(
            "CAMUNDA_SECURITY_INITIALIZATION_USERS_1_USERNAME",
            workers.get("CAMUNDA_CLIENT_AUTH_USERNAME"))
        .containsEntry(
            "CAMUNDA_SECURITY_INITIALIZATION_USERS_1_PASSWORD",
            workers.get("CAMUNDA_CLIENT_AUTH_PASSWORD"));
  }

  @Test
  void composeLetsTheTasklistUserApproveAgentRequests() throws IOException {
    Map<String, Object> workers = workers().get("environment");
    Map<String, Object> cluster = environmentOf("orchestration");

    assertThat(workers.get("APPROVALS_DEFAULTS_APPROVERGROUPS_0")).isEqualTo("approvers");
    assertThat(workers.get("APPROVALS_GROUPS_APPROVERS_0"))
        .isEqualTo(cluster.get("CAMUNDA_SECURITY_INITIALIZATION_USERS_0_USERNAME"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void composeCommitsNoSecretButLocalDevelopmentDefaults() throws IOException {
    Pattern secretName = Pattern.compile(".*(PASSWORD|SECRET|TOKEN)$");
    List<Object> secrets =
        services().values().stream()
            .flatMap(
                service ->
                    ((Map<String, Object>) service.getOrDefault("environment", Map.of()))
                        .entrySet().stream())
            .filter(variable -> secretName.matcher(variable.getKey()).matches())
            .map(Map.Entry::getValue)
            .toList();

    assertThat(secrets)
        .isNotEmpty()
        .allSatisfy(
            value ->
                assertThat(value.toString())
                    .matches("\\$\\{[A-Z_]+:-local-development-[a-z]+-not-a-secret}"));
  }

  @Test
  void composeKeepsTheRegistryInTheComposedPostgres() throws IOException {
    Map<String, Object> environment = workers().get("environment");

    assertThat(environment.get("SPRING_DATASOURCE_URL").toString())
        .startsWith("jdbc:postgresql://postgres:5432/");
    assertThat(services()).containsKey("postgres");
  }

  @Test
  void composeGivesTheWorkersTimeToDrainBeforeItKillsThem() throws IOException {
    Map<String, Object> service = services().get("elastic-agent-workers");
    Duration drain =
        Duration.parse(
            workers().get("environment").get("JOB_WORKERS_SHUTDOWN_GRACE_PERIOD").toString());
    Matcher stopGrace =
        Pattern.compile("(\\d+)s").matcher(String.valueOf(service.get("stop_grace_period")));

    assertThat(stopGrace.matches()).as("stop_grace_period in seconds").isTrue();
    assertThat(Duration.ofSeconds(Long.parseLong(stopGrace.group(1))))
        .isGreaterThan(drain.plusSeconds(5));
    assertThat(workers().get("environment")).containsKey("ELASTIC_AGENTS_INSTANCE_ID");
  }

  @Test
  void composeRunsACamundaVersionThatHasTaskListeners() throws IOException {
    Matcher version =
        Pattern.compile("camunda/camunda:\\$\\{CAMUNDA_VERSION:-(\\d+)\\.(\\d+)\\.\\d+}")
            .matcher(String.valueOf(services().get("orchestration").get("image")));

    assertThat(version.matches()).isTrue();
    assertThat(Integer.parseInt(version.group(1)) * 100 + Integer.parseInt(version.group(2)))
        .isGreaterThanOrEqualTo(808);
  }

  @Test
  void dockerfileCopiesOnlyWhatTheRepositoryHas() throws IOException {
    List<String> sources =
        Files.readAllLines(ROOT.resolve("Dockerfile")).stream()
            .filter(line -> line.startsWith("COPY ") && !line.contains("--from="))
            .flatMap(ContainerFilesTest::copySources)
            .toList();

    assertThat(sources).contains("pom.xml", "gocd-profiles/", "gocd-plugin/", "service/", "bpmn/");
    assertThat(sources).allSatisfy(source -> assertThat(ROOT.resolve(source)).exists());
  }

  @Test
  void theImageRunsTheServiceUnderAnInitProcessAsANonRootUser() throws IOException {
    List<String> dockerfile = Files.readAllLines(ROOT.resolve("Dockerfile"));

    assertThat(dockerfile).contains("USER 10001:10001");
    assertThat(dockerfile)
        .filteredOn(line -> line.startsWith("ENTRYPOINT "))
        .singleElement(InstanceOfAssertFactories.STRING)
        .startsWith("ENTRYPOINT [\"/usr/bin/tini\", \"--\", \"java\"")
        .contains("\"-XX:MaxRAMPercentage=75\"", "\"-XX:+ExitOnOutOfMemoryError\"");
  }

  @Test
  void theImagesHealthCheckProbesLivenessNotReadiness() throws IOException {
    List<String> dockerfile = Files.readAllLines(ROOT.resolve("Dockerfile"));

    assertThat(String.join("\n", dockerfile))
        .contains("HEALTHCHECK ")
        .contains("/actuator/health/liveness")
        .doesNotContain("/actuator/health/readiness");
  }

  @Test
  void theImageRunsOnAJavaWhereBlockedVirtualThreadsDoNotPinTheirCarrier() throws IOException {
    List<String> stages =
        Files.readAllLines(ROOT.resolve("Dockerfile")).stream()
            .filter(line -> line.startsWith("FROM "))
            .toList();
    Matcher runtime = Pattern.compile("FROM eclipse-temurin:(\\d+)-jre").matcher(stages.getLast());

    assertThat(runtime.matches()).as(stages.getLast()).isTrue();
    assertThat(Integer.parseInt(runtime.group(1)))
        .as("JEP 491 is in Java 24")
        .isGreaterThanOrEqualTo(24);
  }

  @Test
  void theImageBuildSkipsTheTests() throws Exception {
    assertThat(Files.readString(ROOT.resolve("Dockerfile")))
        .containsPattern("mvnw [^\\n]*package -DskipTests");
  }

  @Test
  void neitherTheImageNorCiDownloadsTheZeebeDistribution() throws Exception {
    // The pom names it once, in the enforcer rule that refuses it in every scope.
    assertThat(Files.readString(ROOT.resolve("pom.xml")))
        .doesNotContain("<artifactId>camunda-zeebe</artifactId>");
    for (String file : List.of("Dockerfile", ".ci/run", ".ci/smoke-local-run")) {
      assertThat(Files.readString(ROOT.resolve(file)))
          .as("%s, which must neither download nor unpack the Camunda-licensed distribution", file)
          .doesNotContain("camunda-zeebe");
    }
  }

  // "COPY a b dest/" copies a and b.
  private static java.util.stream.Stream<String> copySources(String copy) {
    List<String> words = List.of(copy.substring("COPY ".length()).trim().split("\\s+"));
    return words.subList(0, words.size() - 1).stream();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> services() throws IOException {
    try (InputStream in = Files.newInputStream(ROOT.resolve("docker-compose.yml"))) {
      Map<String, Object> compose = new Yaml().load(in);
      return (Map<String, Map<String, Object>>) compose.get("services");
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> environmentOf(String service) throws IOException {
    return (Map<String, Object>) services().get(service).get("environment");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> workers() throws IOException {
    Map<String, Object> service = services().get("elastic-agent-workers");
    return Map.of("environment", (Map<String, Object>) service.get("environment"));
  }
}
