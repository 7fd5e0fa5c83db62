package dev.elasticagents.gocd.plugin;

import com.google.gson.JsonObject;
import com.thoughtworks.go.plugin.api.logging.Logger;
import com.thoughtworks.go.plugin.api.response.GoPluginApiResponse;
import java.time.Duration;
import java.util.List;

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
    return calls
        .post(target, Message.CREATE_AGENT, body, autoRegisterKey)
        .match(
            success -> Answers.ok(),
            refused -> Answers.status(refused.status(), refused.detail()),
            unreachable -> Answers.status(500, unreachable(target, unreachable)));
  }

  /**
   * GoCD sends job-completion once and never again (a failure is only logged), so a service that
   * gave no usable answer gets two more tries within GoCD's call: after a short pause each, and
   * none begun later than {@link #JOB_COMPLETION_RETRY_WINDOW} after the first, so that a slow
   * service does not hold GoCD's thread for three request timeouts. A refusal is not retried.
   */
  static final int JOB_COMPLETION_TRIES = 3;

  static final Duration JOB_COMPLETION_RETRY_WINDOW = Duration.ofSeconds(5);
  private static final List<Duration> JOB_COMPLETION_PAUSES =
      List.of(Duration.ofMillis(250), Duration.ofMillis(750));

  /** 200 when the service took the request, 500 with the reason otherwise. */
  GoPluginApiResponse jobCompletion(String body) {
    ServiceTarget target;
    try {
      target = targetOf(body, "cluster_profile_properties");
    } catch (InvalidRequest invalid) {
      LOG.warn("job-completion not forwarded: " + invalid.getMessage());
      return Answers.status(500, "job-completion not forwarded: " + invalid.getMessage());
    }
    long deadline = System.nanoTime() + JOB_COMPLETION_RETRY_WINDOW.toNanos();
    ServiceAnswer answer = calls.post(target, Message.JOB_COMPLETION, body);
    for (int tried = 1;
        tried < JOB_COMPLETION_TRIES
            && answer instanceof ServiceAnswer.Unreachable unreachable
            && System.nanoTime() < deadline;
        tried++) {
      LOG.warn(
          "job-completion: "
              + unreachable(target, unreachable)
              + "; trying again (GoCD will not send it again)");
      if (!pause(JOB_COMPLETION_PAUSES.get(tried - 1))) {
        break;
      }
      answer = calls.post(target, Message.JOB_COMPLETION, body);
    }
    return answer.match(
        success -> Answers.ok(),
        refused -> Answers.status(500, refused.detail()),
        unreachable -> Answers.status(500, unreachable(target, unreachable)));
  }

  /** Whether the pause ran its course; an interrupted thread stops trying. */
  private static boolean pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
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
