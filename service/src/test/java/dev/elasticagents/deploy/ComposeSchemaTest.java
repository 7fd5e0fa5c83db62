package dev.elasticagents.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml against the Compose Specification's JSON schema
 * (src/test/resources/compose-spec), read as Docker Compose reads it in an empty environment: every
 * variable takes its default.
 */
class ComposeSchemaTest {

  private static final Path COMPOSE = Path.of("docker-compose.yml");
  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:?-([^}]*))?}");

  @Test
  void composeFollowsTheComposeSpecification() throws IOException {
    List<Error> errors = schema().validate(compose());

    assertThat(errors).isEmpty();
  }

  @Test
  void theSchemaRefusesAServiceWithAnUnknownAttribute() throws IOException {
    ObjectNode broken = (ObjectNode) compose();
    ((ObjectNode) broken.path("services").path("postgres")).put("stop_grace", "45s");

    List<Error> errors = schema().validate(broken);

    assertThat(errors).extracting(Error::toString).anyMatch(error -> error.contains("stop_grace"));
  }

  @Test
  void everyVariableHasADefaultSoThatComposeRunsInAnEmptyEnvironment() throws IOException {
    Matcher variables = VARIABLE.matcher(Files.readString(COMPOSE));

    assertThat(variables.results().toList())
        .isNotEmpty()
        .allSatisfy(variable -> assertThat(variable.group(2)).as(variable.group()).isNotBlank());
  }

  @Test
  void everyFileComposeMountsIsInTheRepository() throws IOException {
    List<String> sources =
        compose().path("services").findValues("volumes").stream()
            .flatMap(volumes -> volumes.valueStream().map(JsonNode::asText))
            .filter(volume -> volume.startsWith("./"))
            .map(volume -> volume.substring(0, volume.indexOf(':')))
            .toList();

    assertThat(sources).isNotEmpty().allSatisfy(source -> assertThat(Path.of(source)).exists());
  }

  /** The compose file as Docker Compose reads it with no variable set. */
  static JsonNode compose() throws IOException {
    String interpolated =
        VARIABLE
            .matcher(Files.readString(COMPOSE))
            .replaceAll(variable -> Matcher.quoteReplacement(defaultOf(variable)));
    return new YAMLMapper().readTree(interpolated);
  }

  private static String defaultOf(MatchResult variable) {
    return variable.group(3) == null ? "" : variable.group(3);
  }

  private static Schema schema() throws IOException {
    try (InputStream in =
        ComposeSchemaTest.class.getResourceAsStream("/compose-spec/compose-spec.json")) {
      ObjectNode schema = (ObjectNode) new ObjectMapper().readTree(in);
      // Draft 7 by the default dialect: its meta-schema is built in, nothing is fetched. The
      // schema's relative $id resolves against the location it was taken from.
      schema.remove("$schema");
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
          .getSchema(
              SchemaLocation.of(
                  "https://github.com/compose-spec/compose-spec/schema/compose_spec.json"),
              schema);
    }
  }
}
