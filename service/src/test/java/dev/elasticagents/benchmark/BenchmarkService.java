package dev.elasticagents.benchmark;

import dev.elasticagents.ElasticAgentWorkersApplication;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.context.annotation.Bean;

/**
 * The service as production runs it, with {@link SlowLaunchProvider} as its agent provider ({@code
 * elastic-agents.provider=benchmark} keeps the local provider out). It runs on the service's
 * runtime class path ({@link ServiceJars}), without the test scope: its fixture is a source of the
 * application, not a test configuration, and carries no annotation that a component scan of the
 * test classes would pick up.
 */
public final class BenchmarkService {

  private BenchmarkService() {}

  public static void main(String[] args) {
    SpringApplication.from(ElasticAgentWorkersApplication::main).with(Fixture.class).run(args);
  }

  static class Fixture {

    @Bean
    SlowLaunchProvider slowLaunchProvider(
        @Value("${benchmark.slow-cluster-profile}") String slowClusterProfile,
        @Value("${benchmark.launch-millis}") long launchMillis) {
      return new SlowLaunchProvider(
          slowClusterProfile, launchMillis, InFlight.fromSystemProperty());
    }
  }
}
