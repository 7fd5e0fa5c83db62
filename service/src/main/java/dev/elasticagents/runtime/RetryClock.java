package dev.elasticagents.runtime;

import java.time.Duration;
import java.time.Instant;

/** Tells the time and waits between attempts; tests replace it to check back-offs exactly. */
public interface RetryClock {

  Instant now();

  void sleep(Duration duration) throws InterruptedException;

  /** The system clock and {@link Thread#sleep(Duration)}. */
  static RetryClock system() {
    return new RetryClock() {
      @Override
      public Instant now() {
        return Instant.now();
      }

      @Override
      public void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration);
      }
    };
  }
}
