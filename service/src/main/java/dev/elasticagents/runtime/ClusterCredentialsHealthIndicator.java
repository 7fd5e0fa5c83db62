package dev.elasticagents.runtime;

import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Reports the service unhealthy while the cluster rejects its credentials (401 or 403), and healthy
 * again once the cluster answers anything else.
 */
@Component
public class ClusterCredentialsHealthIndicator implements HealthIndicator {

  private final AtomicReference<Problem.Unauthorized> rejection = new AtomicReference<>();

  /**
   * Records that the cluster accepted the credentials; returns whether they were rejected before.
   */
  boolean accepted() {
    return rejection.getAndSet(null) != null;
  }

  /** Records a rejection; returns whether it is new, so that it is logged loudly once. */
  boolean rejected(Problem.Unauthorized problem) {
    return rejection.getAndSet(problem) == null;
  }

  @Override
  public Health health() {
    Problem.Unauthorized problem = rejection.get();
    if (problem == null) {
      return Health.up().build();
    }
    return Health.down()
        .withDetail("status", problem.code())
        .withDetail("title", problem.title())
        .withDetail("reason", credentialsMessage(problem))
        .build();
  }

  static String credentialsMessage(Problem.Unauthorized problem) {
    return problem.code() == 401
        ? "The cluster rejected this service's credentials (401): check camunda.client.auth.*"
        : "The cluster denied this service a permission (403): grant the client the job"
            + " permissions";
  }
}
