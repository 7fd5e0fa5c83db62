package dev.elasticagents.benchmark;

import io.camunda.client.annotation.JobWorker;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The peer the service is measured against: a Spring Boot application with the Camunda starter's
 * {@code @JobWorker}s and auto-complete over gRPC, configured only by its command line (the
 * starter's defaults, or tuned). {@code benchmark-noop} does nothing; {@code benchmark-sleep} does
 * the same 200 ms of work as a slow agent launch.
 */
public final class StarterPeer {

  static final String NOOP = "benchmark-noop";
  static final String SLEEP = "benchmark-sleep";

  private StarterPeer() {}

  public static void main(String[] args) {
    SpringApplication.run(Application.class, args);
    System.out.println(PeerProcess.READY);
  }

  // A test configuration, so that the service's component scan of the test classes skips it.
  @TestConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration(
      exclude = {DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class})
  static class Application {

    @Bean
    Workers workers() {
      return new Workers(InFlight.fromSystemProperty(), Long.getLong("benchmark.work-millis", 200));
    }
  }

  public static class Workers {

    private final InFlight inFlight;
    private final long workMillis;

    Workers(InFlight inFlight, long workMillis) {
      this.inFlight = inFlight;
      this.workMillis = workMillis;
    }

    @JobWorker(type = NOOP)
    public void noop() {}

    @JobWorker(type = SLEEP)
    public void sleep() {
      inFlight.run(() -> InFlight.sleep(workMillis));
    }
  }
}
