package dev.elasticagents.agent.registry;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Whether the registry answers: a connection from the pool that the database confirms valid within
 * a few seconds. Part of readiness: without its registry the service can decide nothing. Says why
 * when it is DOWN, naming the database without credentials.
 */
@Component
class RegistryHealthIndicator implements HealthIndicator {

  static final int VALIDATION_SECONDS = 2;

  private final DataSource registry;
  private final String location;

  RegistryHealthIndicator(DataSource registry, @Value("${spring.datasource.url:}") String url) {
    this.registry = registry;
    this.location = withoutParameters(url);
  }

  @Override
  public Health health() {
    try (Connection connection = registry.getConnection()) {
      if (connection.isValid(VALIDATION_SECONDS)) {
        return Health.up().withDetail("registry", location).build();
      }
      return down(
          "The registry at "
              + location
              + " did not confirm a connection within "
              + VALIDATION_SECONDS
              + " s");
    } catch (SQLException | RuntimeException e) {
      return down("Cannot reach the registry at " + location + ": " + causes(e));
    }
  }

  private Health down(String reason) {
    return Health.down().withDetail("registry", location).withDetail("reason", reason).build();
  }

  /** The message of the failure and of its first cause that says something else. */
  private static String causes(Throwable failure) {
    String message = String.valueOf(failure.getMessage());
    Throwable cause = failure.getCause();
    while (cause != null && (cause.getMessage() == null || message.contains(cause.getMessage()))) {
      cause = cause.getCause();
    }
    return cause == null ? message : message + " (" + cause.getMessage() + ")";
  }

  // jdbc:postgresql://host:5432/db?user=...&password=... must not show its parameters.
  private static String withoutParameters(String url) {
    int parameters = url.indexOf('?');
    String location = parameters < 0 ? url : url.substring(0, parameters);
    int options = location.indexOf(';');
    return options < 0 ? location : location.substring(0, options);
  }
}
