package dev.elasticagents;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

/**
 * The service's own settings give a stopping service the time its drain needs, and a readiness
 * probe an answer before it gives up.
 */
class ShutdownSettingsTest {

  private final StandardEnvironment settings = new StandardEnvironment();

  @BeforeEach
  void load() throws IOException {
    settings.setConversionService(new ApplicationConversionService());
    new YamlPropertySourceLoader()
        .load("application", new ClassPathResource("application.yaml"))
        .forEach(settings.getPropertySources()::addLast);
  }

  @Test
  void theWebServerShutsDownGracefully() {
    assertThat(settings.getProperty("server.shutdown")).isEqualTo("graceful");
  }

  @Test
  void eachShutdownPhaseMayTakeLongerThanTheWorkersDrain() {
    Duration drain =
        settings.getRequiredProperty("job-workers.shutdown-grace-period", Duration.class);
    Duration phase =
        settings.getRequiredProperty("spring.lifecycle.timeout-per-shutdown-phase", Duration.class);

    assertThat(drain).isEqualTo(Duration.ofSeconds(30));
    assertThat(phase).isGreaterThan(drain);
  }

  @Test
  void aRegistryThatDoesNotAnswerFailsReadinessWithinFiveSeconds() {
    assertThat(
            settings.getRequiredProperty("spring.datasource.hikari.connection-timeout", Long.class))
        .isEqualTo(5000L);
    assertThat(settings.getProperty("management.endpoint.health.group.readiness.include"))
        .contains("registry");
  }
}
