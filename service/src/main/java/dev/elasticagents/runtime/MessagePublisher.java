package dev.elasticagents.runtime;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.command.ClientStatusException;
import io.camunda.client.api.command.ProblemException;
import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Publishes messages with an id, for callers that publish the same message again until it is taken:
 * the engine's refusal of a message whose id it still buffers means it has that message, and counts
 * as success.
 */
@Component
public class MessagePublisher {

  private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);

  private final CamundaClient client;

  public MessagePublisher(CamundaClient client) {
    this.client = client;
  }

  /**
   * Publishes a message kept for {@code timeToLive} until a subscription takes it.
   *
   * @throws RuntimeException when the engine could not be reached or refused it otherwise
   */
  public void publish(
      String name,
      String correlationKey,
      String messageId,
      Duration timeToLive,
      Map<String, Object> variables) {
    try {
      client
          .newPublishMessageCommand()
          .messageName(name)
          .correlationKey(correlationKey)
          .messageId(messageId)
          .timeToLive(timeToLive)
          .variables(variables)
          .requestTimeout(PUBLISH_TIMEOUT)
          .send()
          .join();
    } catch (ClientStatusException e) {
      if (e.getStatusCode() != Status.Code.ALREADY_EXISTS) {
        throw e;
      }
    } catch (ProblemException e) {
      if (e.code() != 409) {
        throw e;
      }
    }
  }
}
