package dev.elasticagents.testing;

import dev.elasticagents.runtime.JobHandler;
import dev.elasticagents.runtime.JobOutcome;
import io.camunda.client.api.response.ActivatedJob;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * A handler of the tests' own job type that reads one variable and keeps what the worker handed it,
 * so that a test can see which variables the runtime fetched for a handler.
 */
public final class VariableProbe implements JobHandler {

  public static final String JOB_TYPE = "variable-probe";
  public static final String READ = "probed";

  private final BlockingQueue<Map<String, Object>> received = new LinkedBlockingQueue<>();

  @Override
  public String jobType() {
    return JOB_TYPE;
  }

  @Override
  public List<String> fetchVariables() {
    return List.of(READ);
  }

  @Override
  public JobOutcome handle(ActivatedJob job) {
    received.add(job.getVariablesAsMap());
    return JobOutcome.complete(Map.of());
  }

  /** The variables of every job this handler got, in order. */
  public BlockingQueue<Map<String, Object>> received() {
    return received;
  }

  /** Adds the probe to the service's handlers. */
  @TestConfiguration(proxyBeanMethods = false)
  public static class Configuration {
    @Bean
    VariableProbe variableProbe() {
      return new VariableProbe();
    }
  }
}
