package dev.elasticagents.gocd.plugin;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.thoughtworks.go.plugin.api.response.GoPluginApiResponse;
import dev.elasticagents.gocd.profile.ClusterProfileProperties;
import dev.elasticagents.gocd.profile.ElasticAgentProfileProperties;
import dev.elasticagents.gocd.profile.ProfileProperty;
import dev.elasticagents.gocd.profile.PropertyError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The messages the plugin answers by itself: GoCD sends them without a cluster profile, so there is
 * no service to ask, and the answers only describe the plugin and its profiles.
 */
final class ConfigurationMessages {

  static final String CLUSTER_PROFILE_VIEW = "cluster-profile-view.html";
  static final String ELASTIC_AGENT_PROFILE_VIEW = "elastic-agent-profile-view.html";

  private final JsonObject icon = loadIcon();

  GoPluginApiResponse icon() {
    return Answers.json(icon);
  }

  GoPluginApiResponse capabilities() {
    JsonObject capabilities = new JsonObject();
    capabilities.addProperty("supports_plugin_status_report", true);
    capabilities.addProperty("supports_cluster_status_report", true);
    capabilities.addProperty("supports_agent_status_report", true);
    return Answers.json(capabilities);
  }

  GoPluginApiResponse clusterProfileMetadata() {
    return Answers.json(metadata(ClusterProfileProperties.declared()));
  }

  GoPluginApiResponse elasticAgentProfileMetadata() {
    return Answers.json(metadata(ElasticAgentProfileProperties.declared()));
  }

  GoPluginApiResponse clusterProfileView() {
    return view(CLUSTER_PROFILE_VIEW);
  }

  GoPluginApiResponse elasticAgentProfileView() {
    return view(ELASTIC_AGENT_PROFILE_VIEW);
  }

  GoPluginApiResponse validateClusterProfile(String body) {
    return Answers.json(errors(ClusterProfileProperties.validate(flatMap(body))));
  }

  GoPluginApiResponse validateElasticAgentProfile(String body) {
    return Answers.json(errors(ElasticAgentProfileProperties.validate(flatMap(body))));
  }

  /** Nothing to migrate yet: the profiles go back exactly as GoCD sent them. */
  GoPluginApiResponse migrateConfig(String body) {
    return Answers.ok(body == null || body.isBlank() ? "{}" : body);
  }

  private static Map<String, String> flatMap(String body) {
    return Json.properties(Json.object(body), "the profile");
  }

  private static JsonArray metadata(List<ProfileProperty> properties) {
    JsonArray metadata = new JsonArray();
    for (ProfileProperty property : properties) {
      JsonObject flags = new JsonObject();
      flags.addProperty("required", property.required());
      flags.addProperty("secure", property.secure());
      JsonObject entry = new JsonObject();
      entry.addProperty("key", property.key());
      entry.add("metadata", flags);
      metadata.add(entry);
    }
    return metadata;
  }

  private static JsonArray errors(List<PropertyError> errors) {
    JsonArray array = new JsonArray();
    for (PropertyError error : errors) {
      JsonObject entry = new JsonObject();
      entry.addProperty("key", error.key());
      entry.addProperty("message", error.message());
      array.add(entry);
    }
    return array;
  }

  private static GoPluginApiResponse view(String template) {
    JsonObject view = new JsonObject();
    view.addProperty("template", new String(resource(template), StandardCharsets.UTF_8));
    return Answers.json(view);
  }

  private static JsonObject loadIcon() {
    JsonObject icon = new JsonObject();
    icon.addProperty("content_type", "image/svg+xml");
    icon.addProperty("data", Base64.getEncoder().encodeToString(resource("icon.svg")));
    return icon;
  }

  static byte[] resource(String name) {
    try (InputStream in = ConfigurationMessages.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the plugin jar lacks " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
