package dev.elasticagents.testing;

import dev.elasticagents.engine.EmbeddedEngine;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Points the application at the shared embedded engine: gRPC directly, REST through a {@link
 * RestRecorder} that tests can inject.
 */
public class LocalZeebeInitializer
    implements ApplicationContextInitializer<ConfigurableApplicationContext> {

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    EmbeddedEngine engine = SharedEngine.get();
    RestRecorder recorder = RestRecorder.proxying(engine.restAddress());
    context.getBeanFactory().registerSingleton("restRecorder", recorder);
    context.addApplicationListener(
        event -> {
          if (event instanceof ContextClosedEvent) {
            recorder.close();
          }
        });
    TestPropertyValues.of(
            "camunda.client.grpc-address=" + engine.grpcAddress(),
            "camunda.client.rest-address=" + recorder.address())
        .applyTo(context);
  }
}
