package dev.elasticagents.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

/** A registry that a container restart would lose is announced at start-up. */
@ExtendWith(OutputCaptureExtension.class)
class RegistryStorageCheckTest {

  private static final Path TMP = Path.of("/tmp");

  @Test
  void warnsOfAnH2FileUnderTheTemporaryDirectory(CapturedOutput output) {
    RegistryStorageCheck check =
        new RegistryStorageCheck(
            "jdbc:h2:file:/tmp/elastic-agent-workers/registry;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE",
            TMP);

    check.warnIfTemporary();

    assertThat(output.getOut())
        .contains("WARN")
        .contains(
            "The registry is an H2 file under the temporary directory"
                + " (/tmp/elastic-agent-workers/registry)")
        .contains("does not survive a container restart")
        .contains("SPRING_DATASOURCE_URL");
  }

  @Test
  void warnsOfAnH2FileUnderTheTemporaryDirectoryWithoutItsScheme() {
    assertThat(new RegistryStorageCheck("jdbc:h2:/tmp/registry", TMP).warning()).isPresent();
  }

  @Test
  void acceptsPostgreSql() {
    assertThat(new RegistryStorageCheck("jdbc:postgresql://db:5432/elastic_agents", TMP).warning())
        .isEmpty();
  }

  @Test
  void acceptsAnH2FileOnAVolume() {
    assertThat(
            new RegistryStorageCheck(
                    "jdbc:h2:file:/var/lib/elastic-agents/registry;MODE=PostgreSQL", TMP)
                .warning())
        .isEmpty();
  }

  @Test
  void acceptsAnInMemoryH2ThatNobodyExpectsToKeep() {
    assertThat(new RegistryStorageCheck("jdbc:h2:mem:registry;DB_CLOSE_DELAY=-1", TMP).warning())
        .isEmpty();
  }

  @Test
  void warnsOfTheEmbeddedDefault() throws IOException {
    StandardEnvironment environment = new StandardEnvironment();
    new YamlPropertySourceLoader()
        .load("application", new ClassPathResource("application.yaml"))
        .forEach(environment.getPropertySources()::addLast);

    RegistryStorageCheck check =
        new RegistryStorageCheck(environment.getRequiredProperty("spring.datasource.url"));

    assertThat(check.warning()).isPresent();
  }
}
