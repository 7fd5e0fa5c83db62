package dev.elasticagents.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.elasticagents.runtime.InvalidJobVariablesException;
import dev.elasticagents.runtime.JobVariables;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApprovalRequestTest {

  @Test
  void readsTheEnvironmentAndTheV1PropertiesAsTheAgentProfile() throws IOException {
    ApprovalRequest request = read(seed("create-agent-v1.json"));

    assertThat(request.environment()).isEqualTo("production");
    assertThat(request.profileProperties())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("ami-id", "ami-c79d704a", "region", "us-east-1"));
  }

  @Test
  void readsTheGoCdJobAnOverrideWouldBeFor() throws IOException {
    assertThat(read(seed("create-agent-v5.json")).jobId()).contains(100L);
    assertThat(read(seed("create-agent-v1.json")).jobId()).isEmpty();
  }

  @Test
  void readsTheV5ElasticAgentProfileProperties() throws IOException {
    assertThat(read(seed("create-agent-v5.json")).profileProperties())
        .containsEntry("image", "gocd/gocd-agent-debian-12:v25.1.0");
  }

  @Test
  void aRequestWhoseClusterProfileHasNoIdCountsAgainstTheDefaultProfile() throws IOException {
    assertThat(read(seed("create-agent-v5.json")).clusterProfileId()).isEqualTo("default");
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

  private static Map<String, Object> seed(String name) throws IOException {
    try (InputStream in = ApprovalRequestTest.class.getResourceAsStream("/seeds/" + name)) {
      return new ObjectMapper().readValue(in, new TypeReference<>() {});
    }
  }
}
