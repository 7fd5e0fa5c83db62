package dev.elasticagents.gocd.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ElasticAgentProfilePropertiesTest {

  @Nested
  class Declarations {

    @Test
    void declaresEveryPropertyInTheOrderOfTheForm() {
      assertThat(ElasticAgentProfileProperties.declared())
          .extracting(ProfileProperty::key)
          .containsExactly(
              "image",
              "cpu",
              "cpu_limit",
              "memory",
              "memory_limit",
              "environment_variables",
              "reuse_agents",
              "node_selector",
              "service_account",
              "pod_template");
    }

    @Test
    void noPropertyIsRequiredOrSecure() {
      assertThat(ElasticAgentProfileProperties.declared())
          .noneMatch(ProfileProperty::required)
          .noneMatch(ProfileProperty::secure);
    }
  }

  @Nested
  class WholeProfiles {

    @Test
    void anEmptyProfileIsValid() {
      assertThat(ElasticAgentProfileProperties.validate(Map.of())).isEmpty();
    }

    @Test
    void aProfileWithEveryPropertySetIsValid() {
      Map<String, String> profile =
          Map.of(
              "image", "gocd/gocd-agent-ubuntu-24.04:v25.3.0",
              "cpu", "500m",
              "memory", "2Gi",
              "environment_variables", "JAVA_OPTS=-Xmx1g\nGRADLE_USER_HOME=/cache/gradle",
              "reuse_agents", "true");

      assertThat(ElasticAgentProfileProperties.validate(profile)).isEmpty();
    }

    @Test
    void emptyValuesCountAsNotSet() {
      Map<String, String> profile =
          Map.of(
              "image",
              "",
              "cpu",
              "",
              "memory",
              "",
              "environment_variables",
              "",
              "reuse_agents",
              "");

      assertThat(ElasticAgentProfileProperties.validate(profile)).isEmpty();
    }

    @Test
    void anUnknownKeyIsNotAPropertyOfThisPlugin() {
      assertThat(ElasticAgentProfileProperties.validate(Map.of("Image", "x")))
          .containsExactly(new PropertyError("Image", "'Image' is not a property of this plugin"));
    }

    @Test
    void anUnknownKeyIsEchoedPrintableAndShortened() {
      String key = "k\u001b[31m" + "x".repeat(200);

      assertThat(ElasticAgentProfileProperties.validate(Map.of(key, "x")))
          .singleElement()
          .satisfies(
              error -> {
                assertThat(error.key()).isEqualTo(key);
                assertThat(InputLimits.hasControlCharacters(error.message())).isFalse();
                assertThat(error.message()).hasSizeLessThan(150);
              });
    }

    @Test
    void aValueLongerThan4096CharactersIsRefused() {
      assertThat(errorsWith("environment_variables", "A=" + "x".repeat(4095)))
          .containsExactly(
              new PropertyError(
                  "environment_variables",
                  "Environment variables must be at most 4096 characters"));
    }
  }

  @Nested
  class Image {

    @ParameterizedTest
    @ValueSource(
        strings = {
          "alpine",
          "gocd/gocd-agent-ubuntu-24.04:v25.3.0",
          "registry.example.com:5000/ci/agent:latest",
          "ghcr.io/acme/agent@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        })
    void anImageReferenceIsValid(String image) {
      assertThat(errorsWith("image", image)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gocd/agent latest", "-leading-dash", "agent:v1 ", "a|b"})
    void anythingElseIsRefused(String image) {
      assertThat(errorsWith("image", image))
          .containsExactly(
              new PropertyError(
                  "image",
                  "Image must be a container image reference such as"
                      + " gocd/gocd-agent-ubuntu-24.04:v25.3.0"));
    }

    @Test
    void aTabIsAControlCharacter() {
      assertThat(errorsWith("image", "gocd/agent\tlatest"))
          .containsExactly(
              new PropertyError(
                  "image", "Image must not contain control characters or line breaks"));
    }
  }

  @Nested
  class Cpu {

    @ParameterizedTest
    @ValueSource(strings = {"500m", "2", "0.5", "1.25", "100m"})
    void aCpuQuantityIsValid(String cpu) {
      assertThat(errorsWith("cpu", cpu)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0m", "0.0", "-1", "2 cores", "m", "1Gi", ".5"})
    void anythingElseIsRefused(String cpu) {
      assertThat(errorsWith("cpu", cpu))
          .containsExactly(
              new PropertyError("cpu", "CPU must be a CPU quantity such as 500m or 2"));
    }
  }

  @Nested
  class Memory {

    @ParameterizedTest
    @ValueSource(strings = {"512Mi", "2Gi", "1.5Gi", "1000000", "128M", "64k"})
    void aMemoryQuantityIsValid(String memory) {
      assertThat(errorsWith("memory", memory)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0Mi", "2GB", "Gi", "-512Mi", "512 Mi", "2gi"})
    void anythingElseIsRefused(String memory) {
      assertThat(errorsWith("memory", memory))
          .containsExactly(
              new PropertyError("memory", "Memory must be a memory quantity such as 512Mi or 2Gi"));
    }
  }

  @Nested
  class EnvironmentVariables {

    @Test
    void linesOfNameAndValueAreValid() {
      assertThat(errorsWith("environment_variables", "A=1\nB_2=two words\n_C=")).isEmpty();
    }

    @Test
    void windowsLineBreaksAreValid() {
      assertThat(errorsWith("environment_variables", "A=1\r\nB=2\r\n")).isEmpty();
    }

    @Test
    void blankLinesAreIgnored() {
      assertThat(errorsWith("environment_variables", "\nA=1\n\n   \nB=2\n")).isEmpty();
    }

    @Test
    void aValueMayHoldEqualsSigns() {
      assertThat(errorsWith("environment_variables", "JAVA_OPTS=-Dx=y -Da=b")).isEmpty();
    }

    @Test
    void aLineWithoutEqualsSignIsRefusedByItsNumber() {
      assertThat(errorsWith("environment_variables", "A=1\nB"))
          .containsExactly(
              new PropertyError(
                  "environment_variables",
                  "Environment variables line 2 must be NAME=value, NAME made of letters, digits"
                      + " and '_' and not starting with a digit"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1A=x", "A-B=x", " A=x", "=x", "Ä=x"})
    void aNameThatIsNotAnEnvironmentVariableNameIsRefused(String line) {
      assertThat(errorsWith("environment_variables", line))
          .singleElement()
          .satisfies(
              error ->
                  assertThat(error.message())
                      .startsWith("Environment variables line 1 must be NAME=value"));
    }

    @Test
    void aNameGivenTwiceIsRefused() {
      assertThat(errorsWith("environment_variables", "A=1\nB=2\nA=3"))
          .containsExactly(
              new PropertyError(
                  "environment_variables", "Environment variables line 3 sets A again"));
    }

    @Test
    void aLoneCarriageReturnIsAControlCharacter() {
      assertThat(errorsWith("environment_variables", "A=1\rB=2"))
          .containsExactly(
              new PropertyError(
                  "environment_variables",
                  "Environment variables must not contain control characters other than line"
                      + " breaks"));
    }

    @Test
    void aTabIsAControlCharacter() {
      assertThat(errorsWith("environment_variables", "A=1\tx")).hasSize(1);
    }

    @Test
    void theErrorNeverRepeatsAValue() {
      assertThat(errorsWith("environment_variables", "A=1\nPASSWORD hunter2"))
          .singleElement()
          .satisfies(error -> assertThat(error.message()).doesNotContain("hunter2"));
    }
  }

  @Nested
  class ReuseAgents {

    @ParameterizedTest
    @ValueSource(strings = {"true", "false"})
    void trueAndFalseAreValid(String value) {
      assertThat(errorsWith("reuse_agents", value)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "TRUE", "1", " true"})
    void anythingElseIsRefused(String value) {
      assertThat(errorsWith("reuse_agents", value))
          .containsExactly(new PropertyError("reuse_agents", "Reuse agents must be true or false"));
    }
  }

  private static List<PropertyError> errorsWith(String key, String value) {
    Map<String, String> profile = new HashMap<>();
    profile.put(key, value);
    return ElasticAgentProfileProperties.validate(profile);
  }

  @Nested
  class KubernetesProperties {

    @Test
    void acceptsNodeLabelsOneKeyValuePerLine() {
      assertThat(
              ElasticAgentProfileProperties.validate(
                  Map.of("node_selector", "kubernetes.io/arch=amd64\n\ndisktype=ssd")))
          .isEmpty();
    }

    @Test
    void refusesANodeSelectorLineThatIsNoLabel() {
      assertThat(
              ElasticAgentProfileProperties.validate(
                  Map.of("node_selector", "disktype=ssd\nno label here")))
          .containsExactly(
              new PropertyError(
                  "node_selector",
                  "Node selector line 2 must be a node label key=value, such as"
                      + " kubernetes.io/arch=amd64"));
    }

    @Test
    void refusesAServiceAccountThatIsNoKubernetesName() {
      assertThat(ElasticAgentProfileProperties.validate(Map.of("service_account", "Build_Agents")))
          .containsExactly(
              new PropertyError(
                  "service_account",
                  "Service account must be a Kubernetes name: lower-case letters, digits, '-' and"
                      + " '.'"));
    }

    @Test
    void refusesEnvironmentVariablesThatWouldOverrideTheServicesOwn() {
      assertThat(
              ElasticAgentProfileProperties.validate(
                  Map.of("environment_variables", "A=1\nGO_EA_AUTO_REGISTER_KEY=stolen")))
          .containsExactly(
              new PropertyError(
                  "environment_variables",
                  "Environment variables line 2 sets GO_EA_AUTO_REGISTER_KEY: the service sets the"
                      + " GO_EA_ variables"));
    }

    @Test
    void givesAPodTemplateMoreRoomThanOtherValuesButNotUnlimited() {
      assertThat(
              ElasticAgentProfileProperties.validate(Map.of("pod_template", "a: b\n".repeat(2000))))
          .isEmpty();
      assertThat(
              ElasticAgentProfileProperties.validate(
                  Map.of("pod_template", "x".repeat(InputLimits.MAX_DOCUMENT_LENGTH + 1))))
          .containsExactly(
              new PropertyError("pod_template", "Pod template must be at most 32768 characters"));
    }
  }
}
