package dev.elasticagents.gocd.plugin;

import com.thoughtworks.go.plugin.api.logging.Logger;

/**
 * Forwards one message to a service, logs the outcome and keeps the health messages current. Logs
 * name the message, the service URL and the status, never a body: bodies carry the auto-register
 * key and the token.
 */
final class ServiceCalls {

  private static final Logger LOG = Logger.getLoggerFor(ServiceCalls.class);

  private final ServiceClient client;
  private final HealthMessages health;

  ServiceCalls(ServiceClient client, HealthMessages health) {
    this.client = client;
    this.health = health;
  }

  /**
   * Posts {@code body}; {@code secrets} are further values of the body (beyond the token, which is
   * always masked) to mask should the service's answer repeat them.
   */
  ServiceAnswer post(ServiceTarget target, Message message, String body, String... secrets) {
    ServiceAnswer answer = client.post(target, message, body);
    for (String secret : secrets) {
      answer = answer.masking(secret);
    }
    log(target, message, answer);
    health.record(target, answer);
    return answer;
  }

  /** Posts without touching the health messages: the caller records a batch of answers at once. */
  ServiceAnswer postUnrecorded(ServiceTarget target, Message message, String body) {
    ServiceAnswer answer = client.post(target, message, body);
    log(target, message, answer);
    return answer;
  }

  private static void log(ServiceTarget target, Message message, ServiceAnswer answer) {
    if (answer instanceof ServiceAnswer.Success success) {
      LOG.debug(message + " forwarded to " + target + ": HTTP " + success.status());
    } else {
      LOG.warn(message + " forwarded to " + target + " failed: " + answer.failure());
    }
  }
}
