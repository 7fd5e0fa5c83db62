package dev.elasticagents.gocd.plugin;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.thoughtworks.go.plugin.api.response.GoPluginApiResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The status reports. GoCD shows whatever view it gets inside its own page, so the service's view
 * is sanitised ({@link HtmlSanitiser}) and a failure becomes a view too: an escaped error paragraph
 * in place of the report.
 */
final class StatusReports {

  private static final String ALL_PROFILES = "all_cluster_profiles_properties";
  private static final int MAX_ERROR_LENGTH = 1000;

  private final ServiceCalls calls;

  StatusReports(ServiceCalls calls) {
    this.calls = calls;
  }

  GoPluginApiResponse clusterStatusReport(String body) {
    return Answers.json(view(forwardOne(Message.CLUSTER_STATUS_REPORT, body)));
  }

  GoPluginApiResponse agentStatusReport(String body) {
    return Answers.json(view(forwardOne(Message.AGENT_STATUS_REPORT, body)));
  }

  /**
   * One report per distinct service, concatenated. Each service gets only the cluster profiles that
   * name it: the others carry other services' tokens.
   */
  GoPluginApiResponse pluginStatusReport(String body) {
    List<JsonObject> profiles = Json.objects(Json.object(body).get(ALL_PROFILES), ALL_PROFILES);
    Map<ServiceTarget, List<JsonObject>> byService = new LinkedHashMap<>();
    StringBuilder view = new StringBuilder();
    for (JsonObject profile : profiles) {
      try {
        ServiceTarget target = ServiceTarget.of(Json.properties(profile, "a cluster profile"));
        byService.computeIfAbsent(target, t -> new ArrayList<>()).add(profile);
      } catch (InvalidRequest invalid) {
        view.append(
            error("A cluster profile cannot be reported on: " + invalid.getMessage(), null));
      }
    }
    if (profiles.isEmpty()) {
      view.append("<p>No cluster profile uses this plugin yet.</p>");
    }
    byService.forEach(
        (target, own) -> {
          JsonObject request = new JsonObject();
          request.add(ALL_PROFILES, Json.array(own));
          String report = Json.GSON.toJson(request);
          view.append(
              reportOrError(target, calls.post(target, Message.PLUGIN_STATUS_REPORT, report)));
        });
    return Answers.json(view(view.toString()));
  }

  private String forwardOne(Message message, String body) {
    ServiceTarget target;
    try {
      target = ForwardedMessages.targetOf(body, "cluster_profile_properties");
    } catch (InvalidRequest invalid) {
      return error("The status report cannot be shown: " + invalid.getMessage(), null);
    }
    return reportOrError(target, calls.post(target, message, body));
  }

  private static String reportOrError(ServiceTarget target, ServiceAnswer answer) {
    String failure = answer.failure();
    if (answer instanceof ServiceAnswer.Success success) {
      try {
        JsonElement view = Json.object(success.body()).get("view");
        if (view != null && view.isJsonPrimitive()) {
          // GoCD shows the view inside its own page: only harmless markup goes through.
          return HtmlSanitiser.sanitise(view.getAsString());
        }
        failure = "its answer has no view";
      } catch (InvalidRequest malformed) {
        failure = "its answer is not JSON";
      }
    }
    return error(
        "The elastic agent service at " + target.url() + " could not report its status: " + failure,
        target);
  }

  static String error(String text, ServiceTarget target) {
    return "<p class=\"error\">"
        + Text.escapeHtml(Text.safe(text, target, MAX_ERROR_LENGTH))
        + "</p>";
  }

  private static JsonObject view(String html) {
    JsonObject view = new JsonObject();
    view.addProperty("view", html);
    return view;
  }
}
