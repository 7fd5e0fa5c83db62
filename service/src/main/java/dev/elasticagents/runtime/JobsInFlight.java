package dev.elasticagents.runtime;

import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * The jobs the workers hold: activated, handled, and running now. A shutdown drains it: from then
 * on no handler starts (a job activated but not started is left to Zeebe, whose timeout brings it
 * back), and the shutdown waits, up to a grace period, for the handlers that run to finish and send
 * their outcomes. Running handlers are never interrupted by the drain.
 */
@Component
public class JobsInFlight {

  private final Object lock = new Object();
  private long activated;
  private long started;
  private int running;
  private boolean draining;

  /** The workers activated {@code count} jobs. */
  void activated(int count) {
    synchronized (lock) {
      activated += count;
    }
  }

  /** Whether a handler may start on an activated job; false once the service drains. */
  boolean tryStart() {
    synchronized (lock) {
      if (draining) {
        return false;
      }
      started++;
      running++;
      return true;
    }
  }

  /** A handler that started has finished and its outcome was sent. */
  void finished() {
    synchronized (lock) {
      running--;
      lock.notifyAll();
    }
  }

  /** Jobs whose handlers run now. */
  public int running() {
    synchronized (lock) {
      return running;
    }
  }

  /** Whether a drain began: no handler starts any more. */
  boolean isDraining() {
    synchronized (lock) {
      return draining;
    }
  }

  /** Opens the gate again, for workers that start after a drain. */
  void open() {
    synchronized (lock) {
      draining = false;
    }
  }

  /**
   * Lets no handler start any more and waits until the running ones finished, or {@code grace}
   * passed.
   */
  Drain drain(Duration grace) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + grace.toNanos();
    synchronized (lock) {
      draining = true;
      int runningAtStart = running;
      long remaining = deadline - System.nanoTime();
      while (running > 0 && remaining > 0) {
        lock.wait(Math.max(1, remaining / 1_000_000));
        remaining = deadline - System.nanoTime();
      }
      return new Drain(
          runningAtStart - running,
          Math.max(0, activated - started),
          running,
          Duration.ofNanos(System.nanoTime() - start));
    }
  }

  /**
   * What a drain did.
   *
   * @param finished handlers that were running when it began and finished within the grace period
   * @param handedBack jobs activated whose handlers never started: Zeebe hands them out again when
   *     their timeout ends
   * @param stillRunning handlers still running when the grace period ended
   */
  record Drain(int finished, long handedBack, int stillRunning, Duration took) {}
}
