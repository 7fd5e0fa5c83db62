package dev.elasticagents.testing;

import io.camunda.client.api.CamundaFuture;
import io.camunda.client.api.response.ProcessInstanceResult;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for process instances created with their result. The result requests of the tests may wait
 * {@link #REQUEST_TIMEOUT}, longer than any lifecycle of a test, so a test waits for them through
 * here: an instance that does not end fails the test within a minute.
 */
public final class InstanceResults {

  /** How long a test's create-with-result request may wait for its instance to end. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);

  private static final Duration BOUND = Duration.ofMinutes(1);

  private InstanceResults() {}

  /** The variables the instance ended with; fails when it has not ended within a minute. */
  public static Map<String, Object> ended(CamundaFuture<ProcessInstanceResult> instance) {
    try {
      return instance.get(BOUND.toSeconds(), TimeUnit.SECONDS).getVariablesAsMap();
    } catch (TimeoutException e) {
      throw new AssertionError("the process instance did not end within " + BOUND, e);
    } catch (InterruptedException | ExecutionException e) {
      throw new AssertionError("the process instance's result request failed", e);
    }
  }
}
