package dev.elasticagents.gocd.endpoint;

import dev.elasticagents.gocd.profile.ClusterProfileProperties;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The endpoint the GoCD plugin forwards the server's elastic-agent messages to.
 *
 * @param token the bearer token the plugin sends (its cluster profile's {@code service_token}),
 *     surrounding whitespace stripped; empty refuses every request. A secret: never shown by {@link
 *     #toString()}
 * @param jobCompletedTimeToLive how long a job-completed message waits for a lifecycle that is not
 *     yet waiting for it (its create-agent job may still be completing)
 * @param declineWarningWindow how far back declines that still leave jobs waiting become GoCD
 *     server-health warnings
 */
@ConfigurationProperties("gocd-endpoint")
public record GoCdEndpointProperties(
    @DefaultValue("") String token,
    @DefaultValue("PT10M") Duration jobCompletedTimeToLive,
    @DefaultValue("PT5M") Duration declineWarningWindow) {

  /**
   * The token is stripped as the presented one is, so a trailing newline of a mounted secret does
   * not refuse every request. What remains must be a token the plugin's cluster profile form
   * accepts (the rule of {@code service_token} in gocd-profiles): one it refuses could never be
   * presented. The message never repeats the token.
   */
  public GoCdEndpointProperties {
    token = token == null ? "" : token.strip();
    if (!token.isEmpty()) {
      ClusterProfileProperties.serviceTokenProblem(token)
          .ifPresent(
              problem -> {
                throw new IllegalArgumentException(
                    "gocd-endpoint.token "
                        + problem
                        + ", as the plugin's cluster profile property service_token");
              });
    }
  }

  boolean enabled() {
    return !token.isEmpty();
  }

  @Override
  public String toString() {
    return "GoCdEndpointProperties[token=%s, jobCompletedTimeToLive=%s, declineWarningWindow=%s]"
        .formatted(enabled() ? "(set)" : "(empty)", jobCompletedTimeToLive, declineWarningWindow);
  }
}
