package dev.elasticagents.zeebe;

import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Points the application at the shared broker: gRPC directly, REST through a {@link RestRecorder}
 * that tests can inject.
 */
public class LocalZeebeInitializer
    implements ApplicationContextInitializer<ConfigurableApplicationContext> {

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    LocalZeebeBroker broker = SharedZeebeBroker.get();
    RestRecorder recorder = RestRecorder.proxying(broker.restAddress());
    context.getBeanFactory().registerSingleton("restRecorder", recorder);
    context.addApplicationListener(
        event -> {
          if (event instanceof ContextClosedEvent) {
            recorder.close();
          }
        });
    TestPropertyValues.of(
            "camunda.client.grpc-address=" + broker.grpcAddress(),
            "camunda.client.rest-address=" + recorder.address())
        .applyTo(context);
  }
}
