package dev.elasticagents.runtime;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.HealthContributorRegistry;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.stereotype.Component;

/**
 * Each health indicator's status as a gauge, {@code health_component_up{component}}: 1 while it is
 * UP, 0 otherwise. The health endpoint shows its details only to authorised callers and Prometheus
 * scrapes metrics, so alert rules read the cluster, the registry and the cluster credentials from
 * here. One check of an indicator serves the scrapes of {@link #MAX_AGE}, so that scrapes add
 * little to what the probes already ask of the cluster and the database.
 */
@Component
public class HealthGauges implements MeterBinder {

  /** How long one check of an indicator serves scrapes. */
  static final Duration MAX_AGE = Duration.ofSeconds(10);

  private final HealthContributorRegistry contributors;
  private final LongSupplier nanoTime;

  @Autowired
  public HealthGauges(HealthContributorRegistry contributors) {
    this(contributors, System::nanoTime);
  }

  HealthGauges(HealthContributorRegistry contributors, LongSupplier nanoTime) {
    this.contributors = contributors;
    this.nanoTime = nanoTime;
  }

  @Override
  public void bindTo(MeterRegistry meters) {
    contributors.stream()
        .filter(named -> named.getContributor() instanceof HealthIndicator)
        .forEach(
            named ->
                Gauge.builder(
                        "health.component.up",
                        new Check((HealthIndicator) named.getContributor()),
                        Check::up)
                    .description("1 while the health indicator is UP, 0 otherwise")
                    .tag("component", named.getName())
                    .strongReference(true)
                    .register(meters));
  }

  /** One indicator's last status, checked again once it is older than {@link #MAX_AGE}. */
  private final class Check {

    private final HealthIndicator indicator;
    private long checkedAt;
    private double up = Double.NaN;

    Check(HealthIndicator indicator) {
      this.indicator = indicator;
    }

    synchronized double up() {
      long now = nanoTime.getAsLong();
      if (Double.isNaN(up) || now - checkedAt >= MAX_AGE.toNanos()) {
        up = isUp() ? 1 : 0;
        checkedAt = now;
      }
      return up;
    }

    private boolean isUp() {
      try {
        return Status.UP.equals(indicator.health().getStatus());
      } catch (RuntimeException e) {
        return false;
      }
    }
  }
}
