package dev.elasticagents.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.elasticagents.gocd.testing.GoCdBody;
import dev.elasticagents.runtime.InvalidJobVariablesException;
import dev.elasticagents.runtime.JobVariables;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApprovalRequestTest {

  @Test
  void readsTheEnvironmentAndTheV1PropertiesAsTheAgentProfile() {
    ApprovalRequest request = read(GoCdBody.createAgentV1().toMap());

    assertThat(request.environment()).isEqualTo("production");
    assertThat(request.profileProperties())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("ami-id", "ami-c79d704a", "region", "us-east-1"));
  }

  @Test
  void readsTheGoCdJobAnOverrideWouldBeFor() {
    assertThat(read(GoCdBody.createAgent().toMap()).jobId()).contains(100L);
    assertThat(read(GoCdBody.createAgentV1().toMap()).jobId()).isEmpty();
  }

  @Test
  void readsTheV5ElasticAgentProfileProperties() {
    assertThat(read(GoCdBody.createAgent().toMap()).profileProperties())
        .containsEntry("image", "gocd/gocd-agent-debian-12:v25.1.0");
  }

  @Test
  void aRequestWhoseClusterProfileHasNoIdCountsAgainstTheDefaultProfile() {
    assertThat(read(GoCdBody.createAgent().toMap()).clusterProfileId()).isEqualTo("default");
  }

  @Test
  void theClusterProfileIsTheIdOfTheClusterProfileProperties() {
    ApprovalRequest request = read(Map.of("cluster_profile_properties", Map.of("id", "k8s-eu")));

    assertThat(request.clusterProfileId()).isEqualTo("k8s-eu");
  }

  @Test
  void aRequestWithoutEnvironmentHasABlankOne() {
    assertThat(read(Map.of()).environment()).isEmpty();
  }

  @Test
  void malformedVariablesAreNamedAllAtOnceWithoutTheirValues() {
    assertThatThrownBy(
            () ->
                read(
                    Map.of(
                        "environment",
                        42,
                        "properties",
                        List.of("secret-ami"),
                        "cluster_profile_properties",
                        "k8s-secret")))
        .isInstanceOfSatisfying(
            InvalidJobVariablesException.class,
            e ->
                assertThat(e.problems())
                    .containsExactlyInAnyOrder(
                        "'environment' must be a string, but is a number",
                        "'properties' must be an object of string values, but is an array",
                        "'cluster_profile_properties' must be an object of string values, but is a"
                            + " string")
                    .noneMatch(problem -> problem.contains("secret")));
  }

  @Test
  void theAgentProfileMayNotBeGivenTwiceWithDifferentValues() {
    assertThatThrownBy(
            () ->
                read(
                    Map.of(
                        "properties", Map.of("image", "a"),
                        "elastic_agent_profile_properties", Map.of("image", "b"))))
        .isInstanceOf(InvalidJobVariablesException.class)
        .hasMessageContaining(
            "either as 'properties' (v1) or as 'elastic_agent_profile_properties' (v5)");
  }

  private static ApprovalRequest read(Map<String, Object> variables) {
    return ApprovalRequest.read(JobVariables.of(variables));
  }
}
