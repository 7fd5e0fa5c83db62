package dev.elasticagents.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.DefaultHealthContributorRegistry;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;

/** Health indicators as gauges, for alert rules. */
class HealthGaugesTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AtomicLong nanoTime = new AtomicLong();

  @Test
  void anIndicatorThatIsUpReadsOne() {
    bind(Map.of("cluster", () -> Health.up().build()));

    assertThat(up("cluster")).isEqualTo(1);
  }

  @Test
  void anIndicatorThatIsDownReadsZero() {
    bind(Map.of("registry", () -> Health.down().withDetail("reason", "unreachable").build()));

    assertThat(up("registry")).isZero();
  }

  @Test
  void anIndicatorThatThrowsReadsZero() {
    bind(
        Map.of(
            "cluster",
            () -> {
              throw new IllegalStateException("no answer");
            }));

    assertThat(up("cluster")).isZero();
  }

  @Test
  void oneCheckServesTheScrapesOfTenSeconds() {
    AtomicInteger checks = new AtomicInteger();
    bind(
        Map.of(
            "cluster",
            () -> checks.incrementAndGet() == 1 ? Health.up().build() : Health.down().build()));
    up("cluster");

    nanoTime.addAndGet(HealthGauges.MAX_AGE.toNanos() - 1);
    assertThat(up("cluster")).isEqualTo(1);
    nanoTime.addAndGet(1);
    assertThat(up("cluster")).isZero();
    assertThat(checks).hasValue(2);
  }

  private void bind(Map<String, HealthIndicator> indicators) {
    Map<String, HealthContributor> contributors = Map.copyOf(indicators);
    new HealthGauges(new DefaultHealthContributorRegistry(contributors), nanoTime::get)
        .bindTo(meters);
  }

  private double up(String component) {
    return meters.get("health.component.up").tag("component", component).gauge().value();
  }
}
