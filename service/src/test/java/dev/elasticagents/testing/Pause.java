package dev.elasticagents.testing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds the first thread that reaches it until the test lets it go, so that a test can run another
 * step in between: a deterministic interleaving, not a sleep. Bounded: a thread is never held
 * longer than 30 seconds.
 */
public final class Pause {

  public static final Pause NONE = new Pause(true);

  private final CountDownLatch reached = new CountDownLatch(1);
  private final CountDownLatch released = new CountDownLatch(1);
  private final boolean passThrough;

  private Pause(boolean passThrough) {
    this.passThrough = passThrough;
  }

  /** A pause that holds the first thread to reach it. */
  public static Pause once() {
    return new Pause(false);
  }

  public void hold() {
    if (passThrough || reached.getCount() == 0) {
      return;
    }
    reached.countDown();
    await(released);
  }

  /** Waits until a thread is held here. */
  public void awaitReached() {
    await(reached);
  }

  /** Lets the held thread go on. */
  public void release() {
    released.countDown();
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new AssertionError("a paused step was not reached or released within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while paused", e);
    }
  }
}
