package dev.elasticagents.gocd.plugin;

import com.google.gson.JsonObject;
import com.thoughtworks.go.plugin.api.logging.Logger;
import com.thoughtworks.go.plugin.api.response.GoPluginApiResponse;

/**
 * The messages about single agents and jobs: each goes, body unchanged, to the service its cluster
 * profile names, and the service's answer becomes GoCD's.
 */
final class ForwardedMessages {

  private static final Logger LOG = Logger.getLoggerFor(ForwardedMessages.class);

  private final ServiceCalls calls;

  ForwardedMessages(ServiceCalls calls) {
    this.calls = calls;
  }

  /** 200 when the service took the request; its refusal or the failure otherwise. */
  GoPluginApiResponse createAgent(String body) {
    ServiceTarget target;
    String autoRegisterKey;
    try {
      JsonObject request = Json.object(body);
      target = targetOf(request, "cluster_profile_properties");
      autoRegisterKey = Json.string(request, "auto_register_key");
    } catch (InvalidRequest invalid) {
      LOG.warn("create-agent not forwarded: " + invalid.getMessage());
      return Answers.badRequest("create-agent not forwarded: " + invalid.getMessage());
    }
    return switch (calls.post(target, Message.CREATE_AGENT, body, autoRegisterKey)) {
      case ServiceAnswer.Success success -> Answers.ok();
      case ServiceAnswer.Refused refused -> Answers.status(refused.status(), refused.detail());
      case ServiceAnswer.Unreachable unreachable ->
          Answers.status(500, unreachable(target, unreachable));
    };
  }

  /** 200 when the service took the request, 500 with the reason otherwise. */
  GoPluginApiResponse jobCompletion(String body) {
    ServiceTarget target;
    try {
      target = targetOf(body, "cluster_profile_properties");
    } catch (InvalidRequest invalid) {
      LOG.warn("job-completion not forwarded: " + invalid.getMessage());
      return Answers.status(500, "job-completion not forwarded: " + invalid.getMessage());
    }
    return switch (calls.post(target, Message.JOB_COMPLETION, body)) {
      case ServiceAnswer.Success success -> Answers.ok();
      case ServiceAnswer.Refused refused -> Answers.status(500, refused.detail());
      case ServiceAnswer.Unreachable unreachable ->
          Answers.status(500, unreachable(target, unreachable));
    };
  }

  /**
   * The service's bare {@code true} or {@code false}. Anything else, or no answer, is {@code
   * false}: GoCD then offers the job to another agent, which is safe, while a wrong {@code true}
   * could hand a job to an agent that is being torn down.
   */
  GoPluginApiResponse shouldAssignWork(String body) {
    ServiceTarget target;
    try {
      target = targetOf(body, "cluster_profile_properties");
    } catch (InvalidRequest invalid) {
      LOG.warn("should-assign-work not forwarded: " + invalid.getMessage());
      return assignWork(false);
    }
    if (calls.post(target, Message.SHOULD_ASSIGN_WORK, body)
        instanceof ServiceAnswer.Success success) {
      String answer = success.body() == null ? "" : success.body().strip();
      if (!answer.equals("true") && !answer.equals("false")) {
        LOG.warn(
            "should-assign-work: " + target + " answered neither true nor false; answering false");
      }
      return assignWork(answer.equals("true"));
    }
    return assignWork(false);
  }

  /** Always 200: GoCD has already saved the profile, the service's reaction is best effort. */
  GoPluginApiResponse clusterProfileChanged(String body) {
    try {
      calls.post(
          targetOf(body, "cluster_profiles_properties"), Message.CLUSTER_PROFILE_CHANGED, body);
    } catch (InvalidRequest invalid) {
      LOG.warn("cluster-profile-changed not forwarded: " + invalid.getMessage());
    }
    return Answers.ok();
  }

  static GoPluginApiResponse assignWork(boolean assign) {
    return Answers.ok(String.valueOf(assign));
  }

  static ServiceTarget targetOf(String body, String propertiesKey) {
    return targetOf(Json.object(body), propertiesKey);
  }

  static ServiceTarget targetOf(JsonObject request, String propertiesKey) {
    return ServiceTarget.of(Json.properties(request.get(propertiesKey), propertiesKey));
  }

  private static String unreachable(ServiceTarget target, ServiceAnswer.Unreachable unreachable) {
    return "service at " + target.url() + " unreachable: " + unreachable.reason();
  }
}
