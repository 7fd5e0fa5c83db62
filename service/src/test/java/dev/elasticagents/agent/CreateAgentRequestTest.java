package dev.elasticagents.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.elasticagents.gocd.testing.GoCdBody;
import dev.elasticagents.runtime.InvalidJobVariablesException;
import dev.elasticagents.runtime.JobVariables;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CreateAgentRequestTest {

  private static final String SEED_KEY = "1e0e05fc-eb45-11e5-bc83-93882adfccf6";

  @Test
  void readsTheV1SeedBodyWithPropertiesAsTheAgentProfile() {
    CreateAgentRequest request = read(GoCdBody.createAgentV1());

    assertThat(request.autoRegisterKey().value()).isEqualTo(SEED_KEY);
    assertThat(request.environment()).isEqualTo("production");
    assertThat(request.profileProperties())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("ami-id", "ami-c79d704a", "region", "us-east-1"));
    assertThat(request.clusterProfileProperties()).isEmpty();
    assertThat(request.jobIdentifier()).isEmpty();
  }

  @Test
  void readsTheV5BodyWithClusterProfileAndJobIdentifier() {
    CreateAgentRequest request = read(GoCdBody.createAgent());

    assertThat(request.profileProperties()).containsEntry("memory", "2048");
    assertThat(request.clusterProfileProperties()).containsEntry("max_running_agents", "4");
    assertThat(request.jobIdentifier())
        .contains(new JobIdentifier(100, "up42_job", 1, "up42", "up42", 1, "up42_stage"));
    assertThat(request.jobIdentifier().orElseThrow().locator())
        .isEqualTo("up42/1/up42_stage/1/up42_job");
  }

  @Test
  void rejectsAMissingAutoRegisterKey() {
    GoCdBody body = GoCdBody.createAgentV1().without("auto_register_key");

    assertThatThrownBy(() -> read(body))
        .isInstanceOfSatisfying(
            InvalidJobVariablesException.class,
            e -> assertThat(e.problems()).containsExactly("'auto_register_key' is required"));
  }

  @Test
  void rejectsPropertiesThatAreNotAnObject() {
    GoCdBody body = GoCdBody.createAgentV1().with("properties", List.of("ami-c79d704a"));

    assertThatThrownBy(() -> read(body))
        .isInstanceOfSatisfying(
            InvalidJobVariablesException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "'properties' must be an object of string values, but is an array"));
  }

  @Test
  void rejectsWrongTypesWithoutQuotingTheKey() {
    GoCdBody body =
        GoCdBody.createAgent()
            .with("environment", List.of("production"))
            .with("job_identifier.pipeline_counter", "first")
            .without("job_identifier.stage_name");

    assertThatThrownBy(() -> read(body))
        .isInstanceOfSatisfying(
            InvalidJobVariablesException.class,
            e ->
                assertThat(e.problems())
                    .containsExactlyInAnyOrder(
                        "'environment' must be a string, but is an array",
                        "'job_identifier.pipeline_counter' must be a whole number, but is a string",
                        "'job_identifier.stage_name' is required"))
        .hasMessageNotContaining("5f1b0c1e");
  }

  @Test
  void rejectsJobNamesThatCouldForgeLogLines() {
    GoCdBody body =
        GoCdBody.createAgent()
            .with("job_identifier.pipeline_name", "up42\nINFO Terminated every agent")
            .with("job_identifier.pipeline_label", "label\r");

    assertThatThrownBy(() -> read(body))
        .isInstanceOfSatisfying(
            InvalidJobVariablesException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "'job_identifier.pipeline_name' may hold only letters, digits, '.', '_' and"
                            + " '-'",
                        "'job_identifier.pipeline_label' must not hold control characters"));
  }

  @Test
  void rejectsAJobIdThatIsNotPositive() {
    for (long id : new long[] {0, -7}) {
      GoCdBody body = GoCdBody.createAgent().with("job_identifier.job_id", id);

      assertThatThrownBy(() -> read(body))
          .isInstanceOfSatisfying(
              InvalidJobVariablesException.class,
              e ->
                  assertThat(e.problems())
                      .containsExactly("'job_identifier.job_id' must be a positive whole number"));
    }
  }

  @Test
  void rejectsAPipelineNameHoldingANul() {
    GoCdBody body = GoCdBody.createAgent().with("job_identifier.pipeline_name", "up42\u0000raw");

    assertThatThrownBy(() -> read(body))
        .isInstanceOfSatisfying(
            InvalidJobVariablesException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "'job_identifier.pipeline_name' may hold only letters, digits, '.', '_' and"
                            + " '-'"));
  }

  @Test
  void rejectsV1AndV5ProfilesThatDisagree() {
    GoCdBody body = GoCdBody.createAgent().with("properties", Map.of("memory", "512"));

    assertThatThrownBy(() -> read(body))
        .hasMessageContaining(
            "either as 'properties' (v1) or as 'elastic_agent_profile_properties' (v5)");
  }

  @Test
  void readsHowOftenTheLifecycleWasDeclinedSoFar() {
    GoCdBody body = GoCdBody.createAgent().with("declines", 4);

    assertThat(read(body).declines()).isEqualTo(4);
    assertThat(read(GoCdBody.createAgent()).declines()).isZero();
  }

  @Test
  void fetchesOnlyTheVariablesItReads() {
    assertThat(CreateAgentRequest.VARIABLES)
        .containsExactlyInAnyOrder(
            "auto_register_key",
            "environment",
            "properties",
            "elastic_agent_profile_properties",
            "cluster_profile_properties",
            "job_identifier",
            "declines")
        .doesNotContain("capacity_override");
  }

  @Test
  void neverShowsTheAutoRegisterKeyWhenPrinted() {
    CreateAgentRequest request = read(GoCdBody.createAgentV1());

    assertThat(request.toString()).doesNotContain(SEED_KEY).contains("redacted");
  }

  private static CreateAgentRequest read(GoCdBody body) {
    return CreateAgentRequest.from(JobVariables.of(body.toMap()));
  }
}
