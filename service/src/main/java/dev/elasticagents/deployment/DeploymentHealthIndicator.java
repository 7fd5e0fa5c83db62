package dev.elasticagents.deployment;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Whether the models this service runs are deployed. Part of readiness: a service that started
 * while its cluster could not take the models stays up, unready, and keeps trying; restarting it
 * would not bring the cluster back. {@link ModelDeployer} is its only writer.
 */
@Component
public class DeploymentHealthIndicator implements HealthIndicator {

  private volatile Health health =
      Health.down().withDetail("reason", "the models are not deployed yet").build();

  @Override
  public Health health() {
    return health;
  }

  void deployed(String what) {
    health = Health.up().withDetail("models", what).build();
  }

  void waiting(String reason) {
    health = Health.down().withDetail("reason", reason).build();
  }
}
