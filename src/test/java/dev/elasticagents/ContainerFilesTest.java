package dev.elasticagents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.yaml.snakeyaml.Yaml;

/** The image and compose files, checked without a container engine. */
class ContainerFilesTest {

  private static final Path ROOT = Path.of("").toAbsolutePath();

  @Test
  void composeConfiguresTheWorkersOnlyWithPropertiesTheServiceKnows() throws IOException {
    Set<String> known = knownPropertiesAsEnvironmentVariables();

    assertThat(workers().get("environment").keySet())
        .isNotEmpty()
        .allSatisfy(name -> assertThat(known).contains(name));
  }

  @Test
  void composePointsTheWorkersAtTheZeebeServicePorts() throws IOException {
    Map<String, Object> environment = workers().get("environment");

    assertThat(environment)
        .containsEntry("CAMUNDA_CLIENT_GRPC_ADDRESS", "http://zeebe:26500")
        .containsEntry("CAMUNDA_CLIENT_REST_ADDRESS", "http://zeebe:8080")
        .containsEntry("CAMUNDA_CLIENT_PREFER_REST_OVER_GRPC", "false");
    assertThat(services().get("zeebe").get("ports").toString()).contains("26500:26500", "8080:8080");
  }

  @Test
  void composeKeepsTheRegistryInTheComposedPostgres() throws IOException {
    Map<String, Object> environment = workers().get("environment");

    assertThat(environment.get("SPRING_DATASOURCE_URL").toString()).startsWith("jdbc:postgresql://postgres:5432/");
    assertThat(services()).containsKey("postgres");
  }

  @Test
  void composeGivesTheWorkersTimeToDrainBeforeItKillsThem() throws IOException {
    Map<String, Object> service = services().get("elastic-agent-workers");
    Duration drain = Duration.parse(workers().get("environment").get("JOB_WORKERS_SHUTDOWN_GRACE_PERIOD").toString());
    Matcher stopGrace = Pattern.compile("(\\d+)s").matcher(String.valueOf(service.get("stop_grace_period")));

    assertThat(stopGrace.matches()).as("stop_grace_period in seconds").isTrue();
    assertThat(Duration.ofSeconds(Long.parseLong(stopGrace.group(1)))).isGreaterThan(drain.plusSeconds(5));
    assertThat(workers().get("environment")).containsKey("ELASTIC_AGENTS_INSTANCE_ID");
  }

  @Test
  void composeRunsAZeebeVersionThatHasTaskListeners() throws IOException {
    Matcher version =
        Pattern.compile("camunda/zeebe:(\\d+)\\.(\\d+)\\.\\d+")
            .matcher(String.valueOf(services().get("zeebe").get("image")));

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

    assertThat(sources).contains("pom.xml", "src/", "bpmn/");
    assertThat(sources).allSatisfy(source -> assertThat(ROOT.resolve(source)).exists());
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
  private static Map<String, Map<String, Object>> workers() throws IOException {
    Map<String, Object> service = services().get("elastic-agent-workers");
    return Map.of("environment", (Map<String, Object>) service.get("environment"));
  }

  private static Set<String> knownPropertiesAsEnvironmentVariables() throws IOException {
    Set<String> names = new HashSet<>();
    ObjectMapper json = new ObjectMapper();
    for (Resource metadata :
        new PathMatchingResourcePatternResolver()
            .getResources("classpath*:META-INF/spring-configuration-metadata.json")) {
      try (InputStream in = metadata.getInputStream()) {
        for (JsonNode property : json.readTree(in).path("properties")) {
          // Spring's relaxed binding reads both forms: dashes removed, or turned into underscores.
          String name = property.path("name").asText().replace('.', '_').toUpperCase();
          names.add(name.replace("-", ""));
          names.add(name.replace('-', '_'));
        }
      }
    }
    return names;
  }
}
