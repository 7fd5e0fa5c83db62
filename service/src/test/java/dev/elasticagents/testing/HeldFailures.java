package dev.elasticagents.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Job failures a {@link RestRecorder} holds on their way to the engine until the test lets them
 * pass: Zeebe redelivers a failed job only after that, so a test can put a step between the service
 * giving up on a delivery and the redelivery. A failure is never held longer than {@link #LIMIT};
 * then it passes.
 */
public final class HeldFailures {

  static final HeldFailures NONE = released();
  private static final Duration LIMIT = Duration.ofSeconds(30);

  private final CountDownLatch held = new CountDownLatch(1);
  private final CountDownLatch released = new CountDownLatch(1);

  HeldFailures() {}

  private static HeldFailures released() {
    HeldFailures none = new HeldFailures();
    none.release();
    return none;
  }

  /** Blocks the proxy's thread until the test lets failures pass. */
  void hold() {
    held.countDown();
    try {
      released.await(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until the service sent a failure; fails after {@code atMost}. */
  public HeldFailures awaitHeld(Duration atMost) throws InterruptedException {
    if (!held.await(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the service failed no job within " + atMost);
    }
    return this;
  }

  /** Lets every held failure, and every later one, pass to the engine. */
  public void release() {
    released.countDown();
  }
}
