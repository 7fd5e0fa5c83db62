package dev.elasticagents.gocd.plugin;

import com.google.gson.JsonElement;
import com.thoughtworks.go.plugin.api.response.DefaultGoPluginApiResponse;
import com.thoughtworks.go.plugin.api.response.GoPluginApiResponse;

/** The plugin's answers to GoCD. */
final class Answers {

  private Answers() {}

  static GoPluginApiResponse ok() {
    return new DefaultGoPluginApiResponse(200);
  }

  static GoPluginApiResponse ok(String body) {
    return new DefaultGoPluginApiResponse(200, body);
  }

  static GoPluginApiResponse json(JsonElement body) {
    return ok(Json.GSON.toJson(body));
  }

  static GoPluginApiResponse status(int code, String text) {
    return new DefaultGoPluginApiResponse(code, text);
  }

  static GoPluginApiResponse badRequest(String text) {
    return status(400, text);
  }
}
