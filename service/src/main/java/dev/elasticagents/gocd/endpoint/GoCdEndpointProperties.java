package dev.elasticagents.gocd.endpoint;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The endpoint the GoCD plugin forwards the server's elastic-agent messages to.
 *
 * @param token the bearer token the plugin sends (its cluster profile's {@code service_token});
 *     empty refuses every request. A secret: never shown by {@link #toString()}
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

  /** Shorter tokens can be guessed; GoCD's secure properties take any length. */
  static final int MIN_TOKEN_LENGTH = 16;

  public GoCdEndpointProperties {
    if (!token.isEmpty() && token.strip().length() < MIN_TOKEN_LENGTH) {
      throw new IllegalArgumentException(
          "gocd-endpoint.token must be at least %d characters".formatted(MIN_TOKEN_LENGTH));
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
