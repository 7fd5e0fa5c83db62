package dev.elasticagents.benchmark;

import io.camunda.client.CamundaClient;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A closed loop: {@code concurrency} chains, each creating an instance with its result and, once it
 * has the result, the next one. Only instances created and finished inside the measured window
 * count; the warm-up before it lets the JIT and the connections settle.
 */
final class ClosedLoop {

  private static final int MAX_SAMPLES = 2_000_000;
  private static final Duration RESULT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration BACK_PRESSURE_PAUSE = Duration.ofMillis(100);

  private final CamundaClient client;
  private final String processId;

  ClosedLoop(CamundaClient client, String processId) {
    this.client = client;
    this.processId = processId;
  }

  Measurement run(
      Supplier<Map<String, Object>> variables,
      int concurrency,
      Duration warmup,
      Duration window,
      ProcessHandle worker)
      throws InterruptedException {
    long windowStart = System.nanoTime() + warmup.toNanos();
    long windowEnd = windowStart + window.toNanos();
    Window measured = new Window(windowStart, windowEnd);
    CountDownLatch chainsDone = new CountDownLatch(concurrency);
    for (int chain = 0; chain < concurrency; chain++) {
      next(variables, measured, chainsDone);
    }
    sleepUntil(windowStart);
    Duration cpuBefore = cpu(worker);
    sleepUntil(windowEnd);
    Duration cpu = cpu(worker).minus(cpuBefore);
    if (!chainsDone.await(RESULT_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          "Instances of " + processId + " still run after the window; is the worker alive?");
    }
    return measured.measurement(window, cpu);
  }

  private void next(
      Supplier<Map<String, Object>> variables, Window measured, CountDownLatch chainsDone) {
    long created = System.nanoTime();
    if (created >= measured.end) {
      chainsDone.countDown();
      return;
    }
    client
        .newCreateInstanceCommand()
        .bpmnProcessId(processId)
        .latestVersion()
        .variables(variables.get())
        .withResult()
        .requestTimeout(RESULT_TIMEOUT)
        .send()
        .whenComplete(
            (result, failure) -> {
              measured.finished(created, System.nanoTime(), failure == null);
              if (failure != null && Burst.isBackPressure(failure)) {
                // A refused creation comes back at once: the chain pauses rather than storm the
                // broker.
                CompletableFuture.delayedExecutor(
                        BACK_PRESSURE_PAUSE.toMillis(), TimeUnit.MILLISECONDS)
                    .execute(() -> next(variables, measured, chainsDone));
              } else {
                next(variables, measured, chainsDone);
              }
            });
  }

  static Duration cpu(ProcessHandle process) {
    return process
        .info()
        .totalCpuDuration()
        .orElseThrow(() -> new IllegalStateException("No CPU time of " + process.pid()));
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left = nanoTime - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  /** The latencies of the instances created and finished inside the window. */
  private static final class Window {

    private final long start;
    private final long end;
    private final long[] latencies = new long[MAX_SAMPLES];
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();

    Window(long start, long end) {
      this.start = start;
      this.end = end;
    }

    void finished(long created, long finished, boolean completed) {
      if (created < start || finished > end) {
        return;
      }
      if (!completed) {
        refused.incrementAndGet();
        return;
      }
      int index = count.getAndIncrement();
      if (index < latencies.length) {
        latencies[index] = finished - created;
      }
    }

    Measurement measurement(Duration window, Duration cpu) {
      int n = Math.min(count.get(), latencies.length);
      long[] sorted = Arrays.copyOf(latencies, n);
      Arrays.sort(sorted);
      return new Measurement(
          n, window, percentile(sorted, 0.50), percentile(sorted, 0.99), refused.get(), cpu);
    }

    private static double percentile(long[] sorted, double quantile) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      int rank = (int) Math.ceil(quantile * sorted.length) - 1;
      return sorted[Math.max(0, rank)] / 1e6;
    }
  }
}
