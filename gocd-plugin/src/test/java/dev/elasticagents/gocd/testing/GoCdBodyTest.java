package dev.elasticagents.gocd.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GoCdBodyTest {

  @Test
  void createAgentIsTheV5SeedWithItsWholeNumbersAsIntegers() {
    Map<String, Object> body = GoCdBody.createAgent().toMap();

    assertThat(body)
        .containsEntry("auto_register_key", "5f1b0c1e-9d2a-4c3b-8e7f-1a2b3c4d5e6f")
        .containsEntry("environment", "staging")
        .containsKeys("elastic_agent_profile_properties", "cluster_profile_properties");
    assertThat(body.get("job_identifier"))
        .isEqualTo(
            Map.of(
                "job_id", 100,
                "job_name", "up42_job",
                "pipeline_counter", 1,
                "pipeline_label", "up42",
                "pipeline_name", "up42",
                "stage_counter", "1",
                "stage_name", "up42_stage"));
  }

  @Test
  void withChangesOneNestedFieldAndLeavesTheBodyItStartedFrom() {
    GoCdBody seed = GoCdBody.createAgent();

    GoCdBody changed = seed.with("job_identifier.job_id", "x");

    assertThat(changed.toJson()).contains("\"job_id\":\"x\"");
    assertThat(seed.toJson()).contains("\"job_id\":100");
  }

  @Test
  void withoutRemovesOneNestedField() {
    String json = GoCdBody.jobCompletion().without("job_identifier.stage_name").toJson();

    assertThat(json).doesNotContain("stage_name").contains("\"stage_counter\":\"1\"");
  }

  @Test
  void withoutAFieldTheBodyLacksIsAMistakeInTheTest() {
    assertThatThrownBy(() -> GoCdBody.createAgentV1().without("job_identifier.job_id"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aNullFieldIsSentAsNull() {
    assertThat(GoCdBody.createAgent().withAutoRegisterKey(null).toJson())
        .contains("\"auto_register_key\":null");
  }

  @Test
  void jobCompletionNamesTheAgentAndTheSeedsJob() {
    Map<String, Object> body = GoCdBody.jobCompletion().withJobId(7).toMap();

    assertThat(body)
        .containsEntry("elastic_agent_id", GoCdBody.ELASTIC_AGENT_ID)
        .doesNotContainKey("auto_register_key");
    assertThat(body.get("job_identifier")).isEqualTo(GoCdBody.jobIdentifier(7));
  }

  @Test
  void aJobIdPastTheIntegerRangeIsALong() {
    assertThat(GoCdBody.jobIdentifier(5_000_000_000L)).containsEntry("job_id", 5_000_000_000L);
  }
}
