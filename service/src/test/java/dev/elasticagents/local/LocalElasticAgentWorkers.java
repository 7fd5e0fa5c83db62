package dev.elasticagents.local;

import dev.elasticagents.ElasticAgentWorkersApplication;
import dev.elasticagents.engine.EmbeddedEngine;
import io.camunda.client.CamundaClient;
import java.util.stream.Stream;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Runs the service on its embedded default: the embedded engine (zeebe-process-test's 8.8 engine in
 * memory, its gateway and REST API on free loopback ports), the models deployed, the workers
 * running and a sample GoCD server and approver playing requests against it. Ctrl-C stops the
 * service, then the engine. Start it with {@code ./mvnw spring-boot:test-run}.
 */
public final class LocalElasticAgentWorkers {

  private LocalElasticAgentWorkers() {}

  public static void main(String[] args) {
    EmbeddedEngine engine = EmbeddedEngine.start();
    System.out.printf(
        "Embedded engine ready: gRPC %s, REST %s (one partition, in memory: nothing survives a"
            + " stop)%n",
        engine.grpcAddress(), engine.restAddress());
    String[] arguments =
        Stream.concat(
                Stream.of(
                    "--camunda.client.grpc-address=" + engine.grpcAddress(),
                    "--camunda.client.rest-address=" + engine.restAddress(),
                    // One hook below stops the service before the engine, not both at once.
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
      engine.close();
      throw e;
    }
    SampleApprovals.playInBackground(engine, context.getBean(CamundaClient.class));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  context.close();
                  engine.close();
                  System.out.println("Embedded engine stopped");
                },
                "local-shutdown"));
  }
}
