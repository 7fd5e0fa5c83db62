package dev.elasticagents.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.testing.ZeebeIntegrationTest;
import io.camunda.client.CamundaClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/**
 * The service talks to the cluster through one client. The starter would also build the deprecated
 * {@code ZeebeClient}, with a gRPC channel, an executor and an HTTP client of its own, which
 * nothing here uses.
 */
@ZeebeIntegrationTest
class CamundaClientBeansTest {

  @Autowired ApplicationContext context;

  @Test
  @SuppressWarnings("removal") // the type whose bean must not exist
  void theServiceBuildsOneCamundaClientAndNoDeprecatedZeebeClient() {
    assertThat(context.getBeanNamesForType(CamundaClient.class)).hasSize(1);
    assertThat(context.getBeanNamesForType(io.camunda.zeebe.client.ZeebeClient.class)).isEmpty();
  }
}
