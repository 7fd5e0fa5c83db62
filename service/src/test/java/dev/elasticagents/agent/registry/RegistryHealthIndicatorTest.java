package dev.elasticagents.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.testing.RegistryDatabases;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/** The registry's part in readiness, and what it says about the database. */
class RegistryHealthIndicatorTest {

  @Test
  void isUpWhileTheDatabaseAnswers() {
    Health health =
        new RegistryHealthIndicator(RegistryDatabases.newH2Database(), "jdbc:h2:mem:registry")
            .health();

    assertThat(health.getStatus()).isEqualTo(Status.UP);
  }

  @Test
  void isDownWithTheReasonAndNeverShowsTheUrlsParameters() {
    JdbcDataSource unreachable = new JdbcDataSource();
    unreachable.setURL("jdbc:h2:tcp://127.0.0.1:9/registry");
    String url = "jdbc:postgresql://127.0.0.1:9/registry?user=workers&password=do-not-show";

    Health health = new RegistryHealthIndicator(unreachable, url).health();

    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails().get("reason").toString())
        .startsWith("Cannot reach the registry at jdbc:postgresql://127.0.0.1:9/registry: ")
        .doesNotContain("do-not-show");
    assertThat(health.getDetails().toString())
        .doesNotContain("do-not-show")
        .doesNotContain("user=");
  }
}
