package dev.elasticagents.benchmark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * How the benchmark runs, from {@code -Dbenchmark.*} system properties.
 *
 * @param contenders the workers measured, all by default
 * @param runs how often every measurement is repeated; figures are the median of the runs
 * @param concurrencies the instances in flight of the closed loops
 * @param brokerWarmup how long no-op jobs run through the broker before the first measurement
 * @param jvmWarmup how long the first closed loop of a worker JVM runs before its window opens
 * @param warmup how long each later closed loop runs before its window opens
 * @param window how long each closed loop is measured
 * @param burstJobs how many GoCD jobs the burst schedules at once
 * @param launchMillis how long one launch (or one piece of peer work) of the burst takes
 * @param profile whether a profiling pass runs the service under JDK Flight Recorder
 * @param label the name of the profile written ({@code profile-<label>.md})
 * @param output where the report goes
 */
record BenchmarkSettings(
    List<Contender> contenders,
    int runs,
    List<Integer> concurrencies,
    Duration brokerWarmup,
    Duration jvmWarmup,
    Duration warmup,
    Duration window,
    int burstJobs,
    long launchMillis,
    boolean profile,
    String label,
    Path output) {

  static BenchmarkSettings fromSystemProperties() {
    return new BenchmarkSettings(
        Arrays.stream(System.getProperty("benchmark.contenders", "SERVICE,STARTER_DEFAULT,STARTER_TUNED,PLAIN_REST").split(","))
            .map(String::strip)
            .map(Contender::valueOf)
            .toList(),
        Integer.getInteger("benchmark.runs", 3),
        Arrays.stream(System.getProperty("benchmark.concurrencies", "32,128").split(","))
            .map(String::strip)
            .map(Integer::valueOf)
            .toList(),
        Duration.parse(System.getProperty("benchmark.broker-warmup", "PT60S")),
        Duration.parse(System.getProperty("benchmark.jvm-warmup", "PT60S")),
        Duration.parse(System.getProperty("benchmark.warmup", "PT10S")),
        Duration.parse(System.getProperty("benchmark.window", "PT12S")),
        Integer.getInteger("benchmark.burst-jobs", 500),
        Long.getLong("benchmark.launch-millis", 200),
        Boolean.parseBoolean(System.getProperty("benchmark.profile", "true")),
        System.getProperty("benchmark.label", "current"),
        Path.of(System.getProperty("benchmark.output", "docs/benchmarks")));
  }
}
