package dev.elasticagents.engine;

import java.util.concurrent.CountDownLatch;

/**
 * The embedded engine alone, for other workers, curl and the service started against it: {@code
 * ./mvnw -Pengine spring-boot:test-run}, with {@code --grpc-port=} and {@code --rest-port=}
 * (defaults 26500 and 8080) through {@code -Dspring-boot.run.arguments}. Deploys nothing; stops on
 * SIGTERM and Ctrl-C.
 */
public final class DevEngine {

  private DevEngine() {}

  public static void main(String[] args) throws InterruptedException {
    int grpcPort = port(args, "--grpc-port=", 26500);
    int restPort = port(args, "--rest-port=", 8080);
    EmbeddedEngine engine = EmbeddedEngine.start(grpcPort, restPort);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  engine.close();
                  System.out.println("Engine stopped");
                  stopped.countDown();
                },
                "engine-shutdown"));
    System.out.printf(
        "Engine ready: gRPC %s:%d, REST %s%n",
        engine.grpcAddress().getHost(), engine.grpcAddress().getPort(), engine.restAddress());
    stopped.await();
  }

  private static int port(String[] args, String option, int fallback) {
    for (String arg : args) {
      if (arg.startsWith(option)) {
        try {
          return Integer.parseInt(arg.substring(option.length()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              option + " must be a port number, not " + arg.substring(option.length()), e);
        }
      }
    }
    return fallback;
  }
}
