package dev.elasticagents.runtime;

import io.camunda.client.CamundaClient;
import java.time.Duration;

/**
 * The service's own outcome commands, sent over gRPC to an in-process engine that has no REST API
 * (zeebe-process-test), so that engine tests exercise the same mapping of outcomes to commands.
 */
public final class GrpcCommands {

  private GrpcCommands() {}

  /** Commands that go to {@code client}'s gRPC gateway. */
  public static RestCommands over(CamundaClient client) {
    return new RestCommands(client, Duration.ofSeconds(10), RestCommands.Transport.GRPC);
  }
}
