package dev.elasticagents.testing;

import dev.elasticagents.runtime.RetryClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A clock that moves only when the code under test waits, and remembers every wait. */
public final class FakeRetryClock implements RetryClock {

  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private final List<Duration> waits = new ArrayList<>();

  @Override
  public synchronized Instant now() {
    return now;
  }

  @Override
  public synchronized void sleep(Duration duration) {
    waits.add(duration);
    now = now.plus(duration);
  }

  public synchronized List<Duration> waits() {
    return List.copyOf(waits);
  }
}
