package dev.elasticagents.gocd.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterProfilePropertiesTest {

  private static final String TOKEN = "s3cr3t-t0ken-0123456789";

  @Nested
  class Declarations {

    @Test
    void declaresEveryPropertyInTheOrderOfTheForm() {
      assertThat(ClusterProfileProperties.declared())
          .extracting(ProfileProperty::key)
          .containsExactly(
              "service_url",
              "service_token",
              "allow_insecure_http",
              "id",
              "max_running_agents",
              "max_pending_agents",
              "idle_timeout",
              "auto_register_timeout",
              "max_build_duration",
              "go_server_url");
    }

    @Test
    void onlyTheServiceUrlAndTokenAreRequired() {
      assertThat(ClusterProfileProperties.declared())
          .filteredOn(ProfileProperty::required)
          .extracting(ProfileProperty::key)
          .containsExactly("service_url", "service_token");
    }

    @Test
    void onlyTheTokenIsSecure() {
      assertThat(ClusterProfileProperties.declared())
          .filteredOn(ProfileProperty::secure)
          .extracting(ProfileProperty::key)
          .containsExactly("service_token");
    }

    @Test
    void everyPropertyHasADisplayNameAndADescription() {
      assertThat(ClusterProfileProperties.declared())
          .allSatisfy(
              property -> {
                assertThat(property.displayName()).isNotBlank();
                assertThat(property.description()).isNotBlank();
              });
    }
  }

  @Nested
  class WholeProfiles {

    @Test
    void aProfileWithTheRequiredPropertiesOnlyIsValid() {
      assertThat(ClusterProfileProperties.validate(required())).isEmpty();
    }

    @Test
    void aProfileWithEveryPropertySetIsValid() {
      Map<String, String> profile = required();
      profile.put("id", "k8s-eu");
      profile.put("max_running_agents", "10");
      profile.put("max_pending_agents", "3");
      profile.put("idle_timeout", "PT10M");
      profile.put("auto_register_timeout", "15");
      profile.put("max_build_duration", "PT2H");
      profile.put("go_server_url", "https://gocd.example.com/go");

      assertThat(ClusterProfileProperties.validate(profile)).isEmpty();
    }

    @Test
    void emptyOptionalValuesCountAsNotSet() {
      Map<String, String> profile = required();
      List.of(
              "id",
              "max_running_agents",
              "max_pending_agents",
              "idle_timeout",
              "auto_register_timeout",
              "max_build_duration",
              "go_server_url")
          .forEach(key -> profile.put(key, ""));

      assertThat(ClusterProfileProperties.validate(profile)).isEmpty();
    }

    @Test
    void nullOptionalValuesCountAsNotSet() {
      Map<String, String> profile = required();
      profile.put("max_running_agents", null);

      assertThat(ClusterProfileProperties.validate(profile)).isEmpty();
    }

    @Test
    void aMissingRequiredPropertyMustBeSet() {
      Map<String, String> profile = required();
      profile.remove("service_url");

      assertThat(ClusterProfileProperties.validate(profile))
          .containsExactly(new PropertyError("service_url", "Service URL must be set"));
    }

    @Test
    void anEmptyRequiredPropertyMustBeSet() {
      Map<String, String> profile = required();
      profile.put("service_token", "");

      assertThat(ClusterProfileProperties.validate(profile))
          .containsExactly(new PropertyError("service_token", "Service token must be set"));
    }

    @Test
    void noPropertiesAtAllLackBothRequiredOnes() {
      assertThat(ClusterProfileProperties.validate(null))
          .extracting(PropertyError::key)
          .containsExactly("service_url", "service_token");
    }

    @Test
    void anUnknownKeyIsNotAPropertyOfThisPlugin() {
      Map<String, String> profile = required();
      profile.put("api_key", "x");

      assertThat(ClusterProfileProperties.validate(profile))
          .containsExactly(
              new PropertyError("api_key", "'api_key' is not a property of this plugin"));
    }

    @Test
    void errorsComeInDeclaredOrderThenUnknownKeysSorted() {
      Map<String, String> profile = new LinkedHashMap<>();
      profile.put("zeta", "1");
      profile.put("max_running_agents", "0");
      profile.put("alpha", "1");

      assertThat(ClusterProfileProperties.validate(profile))
          .extracting(PropertyError::key)
          .containsExactly("service_url", "service_token", "max_running_agents", "alpha", "zeta");
    }

    @Test
    void aProfileOfMoreThan64PropertiesIsRefusedAsAWhole() {
      Map<String, String> profile = required();
      for (int i = 0; i < 63; i++) {
        profile.put("extra_" + i, "x");
      }

      assertThat(ClusterProfileProperties.validate(profile))
          .containsExactly(
              new PropertyError("", "A profile has at most 64 properties, but 65 were given"));
    }

    @Test
    void aValueLongerThan4096CharactersIsRefused() {
      Map<String, String> profile = required();
      profile.put("id", "a".repeat(4097));

      assertThat(ClusterProfileProperties.validate(profile))
          .containsExactly(
              new PropertyError("id", "Cluster profile ID must be at most 4096 characters"));
    }

    @Test
    void aValueWithAControlCharacterIsRefused() {
      Map<String, String> profile = required();
      profile.put("service_url", "https://elastic-agents.example.com\n");

      assertThat(ClusterProfileProperties.validate(profile))
          .containsExactly(
              new PropertyError(
                  "service_url", "Service URL must not contain control characters or line breaks"));
    }

    @Test
    void aKeyWithSeveralProblemsHasOneError() {
      Map<String, String> profile = required();
      profile.put("max_pending_agents", "x\u0000".repeat(3000));

      assertThat(ClusterProfileProperties.validate(profile)).hasSize(1);
    }
  }

  @Nested
  class ServiceUrl {

    @ParameterizedTest
    @ValueSource(
        strings = {
          "https://elastic-agents.example.com",
          "https://gateway.example.com/elastic-agents/",
          "HTTPS://Elastic-Agents.Example.com"
        })
    void anHttpOrHttpsUrlIsValid(String url) {
      assertThat(errorsWith("service_url", url)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "ftp://example.com",
          "elastic-agents.example.com",
          "/gocd",
          "https://",
          "http:example"
        })
    void anythingButAnAbsoluteHttpUrlIsRefused(String url) {
      assertThat(errorsWith("service_url", url))
          .containsExactly(
              new PropertyError(
                  "service_url",
                  "Service URL must be an http or https URL such as"
                      + " https://elastic-agents.example.com"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://elastic-agents.example.com", "HTTP://127.0.0.1:8080"})
    void aPlainHttpUrlIsRefusedWithoutAllowInsecureHttp(String url) {
      assertThat(errorsWith("service_url", url))
          .containsExactly(
              new PropertyError(
                  "service_url", "Service URL must be https, or set allow_insecure_http to true"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", ""})
    void aPlainHttpUrlIsRefusedUnlessAllowInsecureHttpIsTrue(String allow) {
      Map<String, String> profile = required();
      profile.put("service_url", "http://127.0.0.1:8080");
      profile.put("allow_insecure_http", allow);

      assertThat(ClusterProfileProperties.validate(profile))
          .extracting(PropertyError::key)
          .containsExactly("service_url");
    }

    @Test
    void aPlainHttpUrlIsValidWithAllowInsecureHttp() {
      Map<String, String> profile = required();
      profile.put("service_url", "http://127.0.0.1:8080");
      profile.put("allow_insecure_http", "true");

      assertThat(ClusterProfileProperties.validate(profile)).isEmpty();
      assertThat(ClusterProfileProperties.allowsInsecureHttp(profile)).isTrue();
    }

    @Test
    void theHttpsRuleErrorComesFirstBeforeOtherErrors() {
      Map<String, String> profile = required();
      profile.put("service_url", "http://127.0.0.1:8080");
      profile.put("max_running_agents", "0");

      assertThat(ClusterProfileProperties.validate(profile))
          .extracting(PropertyError::key)
          .containsExactly("service_url", "max_running_agents");
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "TRUE", "1"})
    void allowInsecureHttpIsTrueOrFalse(String allow) {
      assertThat(errorsWith("allow_insecure_http", allow))
          .containsExactly(
              new PropertyError(
                  "allow_insecure_http", "Allow insecure HTTP must be true or false"));
    }

    @Test
    void aUrlWithSpacesIsRefused() {
      assertThat(errorsWith("service_url", "https://elastic agents.example.com")).hasSize(1);
    }

    @Test
    void aUrlWithAUserAndPasswordIsRefused() {
      assertThat(errorsWith("service_url", "https://gocd:hunter2@elastic-agents.example.com"))
          .containsExactly(
              new PropertyError(
                  "service_url", "Service URL must not contain a user name or password"));
    }

    @Test
    void aUrlWithAQueryIsRefused() {
      assertThat(errorsWith("service_url", "https://elastic-agents.example.com/?token=x"))
          .containsExactly(
              new PropertyError("service_url", "Service URL must not have a query or fragment"));
    }

    @Test
    void aUrlWithAFragmentIsRefused() {
      assertThat(errorsWith("service_url", "https://elastic-agents.example.com/#top"))
          .containsExactly(
              new PropertyError("service_url", "Service URL must not have a query or fragment"));
    }
  }

  @Nested
  class ServiceToken {

    @Test
    void sixteenPrintableCharactersAreEnough() {
      assertThat(errorsWith("service_token", "0123456789abcdef")).isEmpty();
    }

    @Test
    void fifteenCharactersAreTooFew() {
      assertThat(errorsWith("service_token", "0123456789abcde"))
          .containsExactly(
              new PropertyError(
                  "service_token",
                  "Service token must be 16 to 512 printable ASCII characters without spaces"));
    }

    @Test
    void fiveHundredTwelveCharactersAreTheMost() {
      assertThat(errorsWith("service_token", "t".repeat(512))).isEmpty();
      assertThat(errorsWith("service_token", "t".repeat(513))).hasSize(1);
    }

    @Test
    void aSpaceIsRefused() {
      assertThat(errorsWith("service_token", "0123456789 abcdef")).hasSize(1);
    }

    @Test
    void aCharacterBeyondAsciiIsRefused() {
      assertThat(errorsWith("service_token", "0123456789abcdefé")).hasSize(1);
    }

    @Test
    void theTokenRuleAloneIsOffered() {
      assertThat(ClusterProfileProperties.serviceTokenProblem("0123456789abcdef")).isEmpty();
      assertThat(ClusterProfileProperties.serviceTokenProblem("0123456789abcdef\n"))
          .contains("must not contain control characters or line breaks");
      assertThat(ClusterProfileProperties.serviceTokenProblem("short"))
          .contains("must be 16 to 512 printable ASCII characters without spaces");
    }

    @Test
    void theErrorNeverRepeatsTheToken() {
      assertThat(errorsWith("service_token", "short secret"))
          .singleElement()
          .satisfies(error -> assertThat(error.message()).doesNotContain("short secret"));
    }
  }

  @Nested
  class Id {

    @ParameterizedTest
    @ValueSource(strings = {"default", "k8s-eu_west.1", "A", "9lives"})
    void lettersDigitsAndSeparatorsAreValid(String id) {
      assertThat(errorsWith("id", id)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-leading", ".hidden", "with space", "zürich", "a/b"})
    void otherIdsAreRefused(String id) {
      assertThat(errorsWith("id", id))
          .containsExactly(
              new PropertyError(
                  "id",
                  "Cluster profile ID must be 1 to 100 letters, digits, '_', '.' or '-', starting"
                      + " with a letter or digit"));
    }

    @Test
    void aHundredCharactersAreTheMost() {
      assertThat(errorsWith("id", "a".repeat(100))).isEmpty();
      assertThat(errorsWith("id", "a".repeat(101))).hasSize(1);
    }
  }

  @Nested
  class AgentCounts {

    @ParameterizedTest
    @ValueSource(strings = {"max_running_agents", "max_pending_agents"})
    void aPositiveWholeNumberIsValid(String key) {
      assertThat(errorsWith(key, "1")).isEmpty();
      assertThat(errorsWith(key, "250")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "1.5", "ten", " 5", "+5"})
    void anythingElseIsNotAPositiveWholeNumber(String value) {
      assertThat(errorsWith("max_running_agents", value))
          .containsExactly(
              new PropertyError(
                  "max_running_agents", "Maximum running agents must be a positive whole number"));
    }

    @Test
    void aNumberBeyondTheIntegerRangeIsRefusedWithTheLargestAllowed() {
      assertThat(errorsWith("max_pending_agents", "2147483648"))
          .containsExactly(
              new PropertyError(
                  "max_pending_agents",
                  "Maximum pending agents must be a positive whole number of at most 2147483647"));
    }
  }

  @Nested
  class Durations {

    @ParameterizedTest
    @ValueSource(strings = {"idle_timeout", "auto_register_timeout", "max_build_duration"})
    void wholeMinutesAreValid(String key) {
      assertThat(errorsWith(key, "10")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"idle_timeout", "auto_register_timeout", "max_build_duration"})
    void anIsoDurationIsValid(String key) {
      assertThat(errorsWith(key, "PT10M")).isEmpty();
      assertThat(errorsWith(key, "P1DT2H")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"idle_timeout", "auto_register_timeout"})
    void zeroIsAValidTimeout(String key) {
      assertThat(errorsWith(key, "0")).isEmpty();
      assertThat(errorsWith(key, "PT0S")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"10m", "ten minutes", "PT", "1.5", "P"})
    void anythingElseIsNotADuration(String value) {
      assertThat(errorsWith("idle_timeout", value))
          .containsExactly(
              new PropertyError(
                  "idle_timeout",
                  "Idle timeout must be whole minutes or an ISO-8601 duration such as PT10M"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"idle_timeout", "auto_register_timeout", "max_build_duration"})
    void aYearIsTheLongestDuration(String key) {
      assertThat(errorsWith(key, "P365D")).isEmpty();
      assertThat(errorsWith(key, "525600")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"P366D", "525601", "999999999999999", "PT2562047788015215H"})
    void aDurationLongerThanAYearIsRefusedWithTheLongestAllowed(String value) {
      assertThat(errorsWith("idle_timeout", value))
          .containsExactly(
              new PropertyError(
                  "idle_timeout",
                  "Idle timeout must be at most 365 days (P365D or 525600 minutes)"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-PT5M", "PT-5M"})
    void aNegativeDurationIsRefused(String value) {
      assertThat(errorsWith("auto_register_timeout", value))
          .containsExactly(
              new PropertyError(
                  "auto_register_timeout", "Auto-register timeout must not be negative"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "PT0S"})
    void theMaximumBuildDurationMustBeLongerThanZero(String value) {
      assertThat(errorsWith("max_build_duration", value))
          .containsExactly(
              new PropertyError(
                  "max_build_duration", "Maximum build duration must be longer than zero"));
    }

    @Test
    void minutesBeyondWhatADurationHoldsAreRefused() {
      assertThat(errorsWith("idle_timeout", "9".repeat(30))).hasSize(1);
    }
  }

  @Nested
  class GoServerUrl {

    @ParameterizedTest
    @ValueSource(
        strings = {
          "https://gocd.example.com/go",
          "http://localhost:8153/go",
          "https://ci.example.com/gocd/go/"
        })
    void anHttpUrlEndingInGoIsValid(String url) {
      assertThat(errorsWith("go_server_url", url)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "https://gocd.example.com",
          "https://gocd.example.com/gocd",
          "tcp://gocd.example.com/go"
        })
    void aUrlNotEndingInGoIsRefused(String url) {
      assertThat(errorsWith("go_server_url", url))
          .containsExactly(
              new PropertyError(
                  "go_server_url",
                  "GoCD server URL must be an http or https URL ending in /go such as"
                      + " https://gocd.example.com/go"));
    }

    @Test
    void aUrlWithAUserIsRefused() {
      assertThat(errorsWith("go_server_url", "https://admin@gocd.example.com/go"))
          .containsExactly(
              new PropertyError(
                  "go_server_url", "GoCD server URL must not contain a user name or password"));
    }
  }

  private static Map<String, String> required() {
    Map<String, String> profile = new HashMap<>();
    profile.put("service_url", "https://elastic-agents.example.com");
    profile.put("service_token", TOKEN);
    return profile;
  }

  private static List<PropertyError> errorsWith(String key, String value) {
    Map<String, String> profile = required();
    profile.put(key, value);
    return ClusterProfileProperties.validate(profile);
  }
}
