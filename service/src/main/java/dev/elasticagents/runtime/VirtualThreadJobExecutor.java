package dev.elasticagents.runtime;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The job workers' executor: each handler starts on a virtual thread of its own, while the client's
 * polls and stream retries, which it schedules, run on one platform thread. The job worker hands a
 * handler over with {@code execute}; a plain scheduled pool would queue every handler through its
 * delay queue, one lock and heap for all of them. How many handlers run at once is bounded by the
 * workers' {@code max-jobs-active}.
 */
final class VirtualThreadJobExecutor extends ScheduledThreadPoolExecutor {

  private final ExecutorService handlers =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("job-worker-", 0).factory());

  VirtualThreadJobExecutor() {
    super(1, Thread.ofPlatform().name("job-worker-scheduler").daemon(true).factory());
  }

  @Override
  public void execute(Runnable command) {
    handlers.execute(command);
  }

  @Override
  public void shutdown() {
    super.shutdown();
    handlers.shutdown();
  }

  @Override
  public List<Runnable> shutdownNow() {
    handlers.shutdownNow();
    return super.shutdownNow();
  }

  @Override
  public boolean isTerminated() {
    return super.isTerminated() && handlers.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    return super.awaitTermination(timeout, unit)
        && handlers.awaitTermination(
            Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }
}
