package dev.elasticagents.benchmark;

import java.time.Duration;

/**
 * What one worker did in one measured window of a closed loop: instances completed, their latencies
 * (create to result) and the worker JVM's CPU time.
 */
record Measurement(
    long completed,
    Duration window,
    double p50Millis,
    double p99Millis,
    long refused,
    Duration workerCpu) {

  double throughput() {
    return completed / seconds(window);
  }

  /** The worker's CPU time per completed instance, in milliseconds. */
  double cpuMillisPerJob() {
    return completed == 0 ? Double.NaN : workerCpu.toNanos() / 1e6 / completed;
  }

  /** The worker's CPU use during the window, in per cent of one core. */
  double cpuPercentOfCore() {
    return 100 * seconds(workerCpu) / seconds(window);
  }

  private static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }
}
