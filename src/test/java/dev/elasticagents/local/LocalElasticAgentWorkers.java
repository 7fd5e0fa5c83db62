package dev.elasticagents.local;

import dev.elasticagents.ElasticAgentWorkersApplication;
import dev.elasticagents.zeebe.LocalZeebeBroker;
import java.util.stream.Stream;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Runs the service on its embedded default: a real local Zeebe broker, the models deployed, the
 * workers running and a few sample requests fed in. Ctrl-C stops the service, then the broker.
 * Start it with {@code ./mvnw spring-boot:test-run}.
 */
public final class LocalElasticAgentWorkers {

  private LocalElasticAgentWorkers() {}

  public static void main(String[] args) {
    LocalZeebeBroker broker = LocalZeebeBroker.startFromBuild();
    System.out.printf(
        "Local Zeebe broker ready: gRPC %s, REST %s, log %s%n",
        broker.grpcAddress(), broker.restAddress(), broker.logFile());
    String[] arguments =
        Stream.concat(
                Stream.of(
                    "--camunda.client.grpc-address=" + broker.grpcAddress(),
                    "--camunda.client.rest-address=" + broker.restAddress(),
                    // One hook below stops the service before the broker, not both at once.
                    "--spring.main.register-shutdown-hook=false"),
                Stream.of(args))
            .toArray(String[]::new);
    ConfigurableApplicationContext context;
    try {
      context =
          SpringApplication.from(ElasticAgentWorkersApplication::main)
              .with(SampleAgentRequests.class)
              .withAdditionalProfiles("local")
              .run(arguments)
              .getApplicationContext();
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  context.close();
                  broker.close();
                  System.out.println("Local Zeebe broker stopped");
                },
                "local-shutdown"));
  }
}
