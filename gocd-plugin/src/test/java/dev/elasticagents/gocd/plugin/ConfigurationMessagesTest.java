package dev.elasticagents.gocd.plugin;

import static dev.elasticagents.gocd.plugin.GoCd.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.thoughtworks.go.plugin.api.exceptions.UnhandledRequestTypeException;
import com.thoughtworks.go.plugin.api.request.DefaultGoPluginApiRequest;
import com.thoughtworks.go.plugin.api.response.GoPluginApiResponse;
import dev.elasticagents.gocd.profile.ClusterProfileProperties;
import dev.elasticagents.gocd.profile.ElasticAgentProfileProperties;
import dev.elasticagents.gocd.profile.ProfileProperty;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The messages the plugin answers without asking the service. */
class ConfigurationMessagesTest {

  private final MockGoServer server = new MockGoServer();
  private final ElasticAgentPlugin plugin = server.plugin();

  @Test
  void identifiesAsAnElasticAgentPluginOfExtensionVersion5() {
    assertThat(plugin.pluginIdentifier().getExtension()).isEqualTo("elastic-agent");
    assertThat(plugin.pluginIdentifier().getSupportedExtensionVersions()).containsExactly("5.0");
  }

  @Test
  void getIconAnswersAnSvgImage() {
    GoPluginApiResponse response = send(plugin, "get-icon", null);

    assertThat(response.responseCode()).isEqualTo(200);
    JsonObject icon = JsonParser.parseString(response.responseBody()).getAsJsonObject();
    assertThat(icon.keySet()).containsExactly("content_type", "data");
    assertThat(icon.get("content_type").getAsString()).isEqualTo("image/svg+xml");
    String svg =
        new String(
            Base64.getDecoder().decode(icon.get("data").getAsString()), StandardCharsets.UTF_8);
    assertThat(svg).startsWith("<svg").contains("</svg>");
  }

  @Test
  void getCapabilitiesAnswersThatEveryStatusReportIsSupported() {
    GoPluginApiResponse response = send(plugin, "get-capabilities", null);

    assertThat(response.responseCode()).isEqualTo(200);
    assertThat(response.responseBody())
        .isEqualTo(
            "{\"supports_plugin_status_report\":true,\"supports_cluster_status_report\":true,\"supports_agent_status_report\":true}");
  }

  @Test
  void getClusterProfileMetadataAnswersTheDeclaredProperties() {
    GoPluginApiResponse response = send(plugin, "get-cluster-profile-metadata", null);

    assertThat(response.responseCode()).isEqualTo(200);
    assertThat(response.responseBody())
        .isEqualTo(
            "[{\"key\":\"service_url\",\"metadata\":{\"required\":true,\"secure\":false}},"
                + "{\"key\":\"service_token\",\"metadata\":{\"required\":true,\"secure\":true}},"
                + "{\"key\":\"allow_insecure_http\",\"metadata\":{\"required\":false,\"secure\":false}},"
                + "{\"key\":\"id\",\"metadata\":{\"required\":false,\"secure\":false}},"
                + "{\"key\":\"max_running_agents\",\"metadata\":{\"required\":false,\"secure\":false}},"
                + "{\"key\":\"max_pending_agents\",\"metadata\":{\"required\":false,\"secure\":false}},"
                + "{\"key\":\"idle_timeout\",\"metadata\":{\"required\":false,\"secure\":false}},"
                + "{\"key\":\"auto_register_timeout\",\"metadata\":{\"required\":false,\"secure\":false}},"
                + "{\"key\":\"max_build_duration\",\"metadata\":{\"required\":false,\"secure\":false}},"
                + "{\"key\":\"go_server_url\",\"metadata\":{\"required\":false,\"secure\":false}}]");
  }

  @Test
  void getElasticAgentProfileMetadataAnswersTheDeclaredProperties() {
    GoPluginApiResponse response = send(plugin, "get-elastic-agent-profile-metadata", null);

    assertThat(response.responseCode()).isEqualTo(200);
    assertThat(response.responseBody())
        .isEqualTo(
            "[{\"key\":\"image\",\"metadata\":{\"required\":false,\"secure\":false}},"
                + "{\"key\":\"cpu\",\"metadata\":{\"required\":false,\"secure\":false}},"
                + "{\"key\":\"cpu_limit\",\"metadata\":{\"required\":false,\"secure\":false}},"
                + "{\"key\":\"memory\",\"metadata\":{\"required\":false,\"secure\":false}},"
                + "{\"key\":\"memory_limit\",\"metadata\":{\"required\":false,\"secure\":false}},"
                + "{\"key\":\"environment_variables\",\"metadata\":{\"required\":false,\"secure\":false}},"
                + "{\"key\":\"reuse_agents\",\"metadata\":{\"required\":false,\"secure\":false}},"
                + "{\"key\":\"node_selector\",\"metadata\":{\"required\":false,\"secure\":false}},"
                + "{\"key\":\"service_account\",\"metadata\":{\"required\":false,\"secure\":false}},"
                + "{\"key\":\"pod_template\",\"metadata\":{\"required\":false,\"secure\":false}}]");
  }

  static Stream<Arguments> views() {
    return Stream.of(
        Arguments.of("get-cluster-profile-view", ClusterProfileProperties.declared()),
        Arguments.of("get-elastic-agent-profile-view", ElasticAgentProfileProperties.declared()));
  }

  @ParameterizedTest
  @MethodSource("views")
  void aViewAnswersOnlyATemplate(String message, List<ProfileProperty> declared) {
    GoPluginApiResponse response = send(plugin, message, null);

    assertThat(response.responseCode()).isEqualTo(200);
    JsonObject view = JsonParser.parseString(response.responseBody()).getAsJsonObject();
    assertThat(view.keySet()).containsExactly("template");
    assertThat(view.get("template").getAsString()).isNotBlank();
  }

  @ParameterizedTest
  @MethodSource("views")
  void aViewHasAFieldWithItsErrorForEveryDeclaredProperty(
      String message, List<ProfileProperty> declared) {
    String template = template(message);

    assertThat(declared)
        .allSatisfy(
            property ->
                assertThat(template)
                    .contains("ng-model=\"" + property.key() + "\"")
                    .contains("ng-show=\"GOINPUTNAME[" + property.key() + "].$error.server\"")
                    .contains("{{GOINPUTNAME[" + property.key() + "].$error.server}}"));
  }

  @ParameterizedTest
  @MethodSource("views")
  void aViewHasNoFieldOutsideTheDeclaredProperties(String message, List<ProfileProperty> declared) {
    Matcher models = Pattern.compile("ng-model=\"([^\"]+)\"").matcher(template(message));

    assertThat(models.results().map(match -> match.group(1)).toList())
        .containsExactlyElementsOf(declared.stream().map(ProfileProperty::key).toList());
  }

  @ParameterizedTest
  @MethodSource("views")
  void aViewMarksExactlyTheRequiredPropertiesAsRequired(
      String message, List<ProfileProperty> declared) {
    String template = template(message);

    assertThat(declared)
        .allSatisfy(
            property ->
                assertThat(template)
                    .containsPattern(
                        "ng-model=\""
                            + property.key()
                            + "\"[^>]*ng-required=\""
                            + property.required()
                            + "\""));
    assertThat(Pattern.compile("class=\"asterix\"").matcher(template).results().count())
        .isEqualTo(declared.stream().filter(ProfileProperty::required).count());
  }

  @Test
  void theClusterProfileViewMasksTheToken() {
    assertThat(template("get-cluster-profile-view"))
        .containsPattern("<input type=\"password\" ng-model=\"service_token\"")
        .containsOnlyOnce("type=\"password\"");
  }

  @Test
  void validateClusterProfileAnswersNoErrorsForAValidProfile() {
    GoPluginApiResponse response =
        send(
            plugin,
            "validate-cluster-profile",
            GoCd.json(GoCd.clusterProfile("https://elastic-agents.example.com")));

    assertThat(response.responseCode()).isEqualTo(200);
    assertThat(response.responseBody()).isEqualTo("[]");
  }

  @Test
  void validateClusterProfileAnswersAnErrorPerBadKey() {
    String body =
        "{\"service_url\":\"ftp://elastic-agents.example.com\",\"service_token\":\"short\",\"max_running_agents\":\"\",\"region\":\"eu\"}";

    GoPluginApiResponse response = send(plugin, "validate-cluster-profile", body);

    assertThat(response.responseCode()).isEqualTo(200);
    assertThat(response.responseBody())
        .isEqualTo(
            "[{\"key\":\"service_url\",\"message\":\"Service URL must be an http or https URL such"
                + " as https://elastic-agents.example.com\"},{\"key\":\"service_token\",\"message\":\"Service"
                + " token must be 16 to 512 printable ASCII characters without"
                + " spaces\"},{\"key\":\"region\",\"message\":\"'region' is not a property of this"
                + " plugin\"}]");
  }

  @Test
  void validateElasticAgentProfileAnswersNoErrorsForAValidProfile() {
    GoPluginApiResponse response =
        send(
            plugin,
            "validate-elastic-agent-profile",
            "{\"image\":\"alpine:3\",\"cpu\":\"\",\"reuse_agents\":\"false\"}");

    assertThat(response.responseCode()).isEqualTo(200);
    assertThat(response.responseBody()).isEqualTo("[]");
  }

  @Test
  void validateElasticAgentProfileAnswersAnErrorPerBadKey() {
    GoPluginApiResponse response =
        send(plugin, "validate-elastic-agent-profile", "{\"memory\":\"2GB\",\"cpu\":\"500m\"}");

    assertThat(response.responseCode()).isEqualTo(200);
    assertThat(response.responseBody())
        .isEqualTo(
            "[{\"key\":\"memory\",\"message\":\"Memory must be a memory quantity such as 512Mi or"
                + " 2Gi\"}]");
  }

  @Test
  void validateRefusesABodyThatIsNotAFlatMap() {
    GoPluginApiResponse response = send(plugin, "validate-cluster-profile", "[\"service_url\"]");

    assertThat(response.responseCode()).isEqualTo(400);
    assertThat(response.responseBody())
        .isEqualTo("validate-cluster-profile refused: the body is not a JSON object");
  }

  @Test
  void migrateConfigAnswersTheProfilesUnchanged() {
    String body =
        "{\"plugin_settings\":{},"
            + "\"cluster_profiles\":[{\"id\":\"k8s-eu\",\"plugin_id\":\"dev.elasticagents.zeebe\",\"properties\":"
            + GoCd.json(GoCd.clusterProfile("https://elastic-agents.example.com"))
            + "}],\"elastic_agent_profiles\":[{\"id\":\"ubuntu\",\"plugin_id\":\"dev.elasticagents.zeebe\",\"cluster_profile_id\":\"k8s-eu\",\"properties\":{\"image\":\"alpine\"}}]}";

    GoPluginApiResponse response = send(plugin, "migrate-config", body);

    assertThat(response.responseCode()).isEqualTo(200);
    assertThat(response.responseBody()).isEqualTo(body);
  }

  @Test
  void configurationMessagesNeverCallTheGoCdServer() {
    Stream.of(
            "get-icon",
            "get-capabilities",
            "get-cluster-profile-metadata",
            "get-cluster-profile-view",
            "get-elastic-agent-profile-metadata",
            "get-elastic-agent-profile-view")
        .forEach(message -> send(plugin, message, null));

    assertThat(server.requests()).isEmpty();
  }

  @Test
  void anUnknownMessageIsUnhandled() {
    DefaultGoPluginApiRequest request =
        new DefaultGoPluginApiRequest("elastic-agent", "5.0", "cd.go.elastic-agent.get-settings");

    assertThatThrownBy(() -> plugin.handle(request))
        .isInstanceOf(UnhandledRequestTypeException.class);
  }

  @Test
  void aMessageOfAnotherExtensionVersionPrefixIsUnhandled() {
    DefaultGoPluginApiRequest request =
        new DefaultGoPluginApiRequest("elastic-agent", "2.0", "go.cd.elastic-agent.create-agent");

    assertThatThrownBy(() -> plugin.handle(request))
        .isInstanceOf(UnhandledRequestTypeException.class);
  }

  private String template(String message) {
    return JsonParser.parseString(send(plugin, message, null).responseBody())
        .getAsJsonObject()
        .get("template")
        .getAsString();
  }
}
