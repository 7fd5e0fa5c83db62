package dev.elasticagents.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The environment variables the deployment checks accept, and those they refuse. */
class KnownPropertiesTest {

  private final KnownProperties known = KnownProperties.onTheClasspath();

  @Test
  void knowsThePropertiesOfTheServiceInTheirEnvironmentForm() {
    assertThat(known.knows("ELASTIC_AGENTS_PROVIDER")).isTrue();
    assertThat(known.knows("JOB_WORKERS_SHUTDOWN_GRACE_PERIOD")).isTrue();
    assertThat(known.knows("JOBWORKERS_SHUTDOWNGRACEPERIOD")).isTrue();
  }

  @Test
  void knowsThePropertiesOfSpringBootAndCamunda() {
    assertThat(known.knows("SPRING_DATASOURCE_URL")).isTrue();
    assertThat(known.knows("SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE")).isTrue();
    assertThat(known.knows("CAMUNDA_CLIENT_AUTH_CLIENT_SECRET")).isTrue();
  }

  @Test
  void knowsListElementsAndMapKeys() {
    assertThat(known.knows("APPROVALS_DEFAULTS_APPROVERGROUPS_0")).isTrue();
    assertThat(known.knows("APPROVALS_GROUPS_APPROVERS_0")).isTrue();
  }

  @Test
  void refusesAMisspelledProperty() {
    assertThat(known.knows("ELASTIC_AGENTS_PROVIDR")).isFalse();
    assertThat(known.knows("ELASTIC_AGENT_PROVIDER")).isFalse();
    assertThat(known.knows("APPROVALS_GROUPS_")).isFalse();
  }
}
