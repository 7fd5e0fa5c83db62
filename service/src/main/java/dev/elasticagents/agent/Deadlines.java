package dev.elasticagents.agent;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;

/**
 * Deadlines that saturate: a duration too long for the calendar (a row written before durations
 * were bounded) gives a deadline that never comes, instead of an exception that would stop a whole
 * cleanup pass.
 */
public final class Deadlines {

  private Deadlines() {}

  /** {@code start} plus {@code duration}, or {@link Instant#MAX} where that overflows. */
  public static Instant after(Instant start, Duration duration) {
    try {
      return start.plus(duration);
    } catch (DateTimeException | ArithmeticException tooFar) {
      return duration.isNegative() ? Instant.MIN : Instant.MAX;
    }
  }
}
