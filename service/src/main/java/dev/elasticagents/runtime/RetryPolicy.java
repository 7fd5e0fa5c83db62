package dev.elasticagents.runtime;

import static java.util.Objects.requireNonNullElse;

import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How an outcome is sent again while the cluster is busy or unreachable.
 *
 * @param maxAttempts sends of one outcome at most, the first included
 * @param initialBackoff the wait before the second attempt
 * @param maxBackoff the longest wait between two attempts
 * @param multiplier how much each wait grows
 * @param jitter the random share of each wait, from 0 (none) to 1 (up to twice, down to nothing)
 * @param redeliveryBackoff when attempts run out, the job is failed with one retry fewer and Zeebe
 *     redelivers it after this back-off
 */
public record RetryPolicy(
    @DefaultValue("5") int maxAttempts,
    @DefaultValue("PT0.2S") Duration initialBackoff,
    @DefaultValue("PT5S") Duration maxBackoff,
    @DefaultValue("2.0") double multiplier,
    @DefaultValue("0.2") double jitter,
    @DefaultValue("PT30S") Duration redeliveryBackoff) {

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("max-attempts must be at least 1, got " + maxAttempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "back-offs must satisfy 0 <= initial-backoff <= max-backoff, got %s and %s"
              .formatted(initialBackoff, maxBackoff));
    }
    if (multiplier < 1) {
      throw new IllegalArgumentException("multiplier must be at least 1, got " + multiplier);
    }
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("jitter must be between 0 and 1, got " + jitter);
    }
    if (redeliveryBackoff.isNegative()) {
      throw new IllegalArgumentException("redelivery-backoff must not be negative");
    }
  }

  /**
   * The wait before attempt {@code attempt + 1}, before jitter: {@code initialBackoff ×
   * multiplier^(attempt-1)}, capped at {@code maxBackoff}.
   */
  public Duration backoffAfter(int attempt) {
    double millis = initialBackoff.toMillis() * Math.pow(multiplier, attempt - 1);
    return millis >= maxBackoff.toMillis() ? maxBackoff : Duration.ofMillis(Math.round(millis));
  }

  /** The same policy with the overridden values replaced. */
  RetryPolicy with(Override override) {
    return new RetryPolicy(
        requireNonNullElse(override.maxAttempts(), maxAttempts),
        requireNonNullElse(override.initialBackoff(), initialBackoff),
        requireNonNullElse(override.maxBackoff(), maxBackoff),
        requireNonNullElse(override.multiplier(), multiplier),
        requireNonNullElse(override.jitter(), jitter),
        requireNonNullElse(override.redeliveryBackoff(), redeliveryBackoff));
  }

  /** Per-job-type values that replace the defaults; a value left out (null) keeps the default. */
  public record Override(
      Integer maxAttempts,
      Duration initialBackoff,
      Duration maxBackoff,
      Double multiplier,
      Double jitter,
      Duration redeliveryBackoff) {}
}
