package dev.elasticagents.benchmark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How the benchmark runs, from {@code -Dbenchmark.*} system properties.
 *
 * @param contenders the workers measured, all by default
 * @param runs how often every measurement is repeated; figures are the median of the runs
 * @param concurrencies the instances in flight of the closed loops
 * @param jvmWarmup how long a closed loop may run at most until the JIT compilers of the worker's
 *     JVM and of the benchmark's (the engine's) go quiet
 * @param warmup how long each closed loop runs, once they are quiet, before its window opens
 * @param window how long each closed loop is measured
 * @param burstJobs how many GoCD jobs the burst schedules at once
 * @param launchMillis how long one launch (or one piece of peer work) of the burst takes
 * @param registryTerminated how many TERMINATED agents the registry-scale scenario adds to the
 *     registry before it measures the create path again
 * @param registryLive how many live (busy) agents it adds
 * @param profile whether a profiling pass runs the service under JDK Flight Recorder
 * @param label the name of the profile written ({@code profile-<label>.md})
 * @param output where the report goes
 * @param serviceProperties settings the service runs with besides its defaults ({@code
 *     benchmark.service-properties=key=value,key=value})
 * @param serviceJvmOptions JVM options the service runs with besides its heap limit ({@code
 *     benchmark.service-jvm-options=-XX:... -XX:...})
 */
record BenchmarkSettings(
    List<Contender> contenders,
    int runs,
    List<Integer> concurrencies,
    Duration jvmWarmup,
    Duration warmup,
    Duration window,
    int burstJobs,
    long launchMillis,
    int registryTerminated,
    int registryLive,
    boolean profile,
    String label,
    Path output,
    Map<String, String> serviceProperties,
    List<String> serviceJvmOptions) {

  /** These settings with the service's settings replaced by {@code serviceProperties}. */
  BenchmarkSettings withServiceProperties(Map<String, String> serviceProperties) {
    return new BenchmarkSettings(
        contenders,
        runs,
        concurrencies,
        jvmWarmup,
        warmup,
        window,
        burstJobs,
        launchMillis,
        registryTerminated,
        registryLive,
        profile,
        label,
        output,
        Map.copyOf(serviceProperties),
        serviceJvmOptions);
  }

  static BenchmarkSettings fromSystemProperties() {
    return new BenchmarkSettings(
        Arrays.stream(
                System.getProperty(
                        "benchmark.contenders", "SERVICE,STARTER_DEFAULT,STARTER_TUNED,PLAIN_REST")
                    .split(","))
            .map(String::strip)
            .map(Contender::valueOf)
            .toList(),
        Integer.getInteger("benchmark.runs", 3),
        Arrays.stream(System.getProperty("benchmark.concurrencies", "32,128").split(","))
            .map(String::strip)
            .map(Integer::valueOf)
            .toList(),
        Duration.parse(System.getProperty("benchmark.jvm-warmup", "PT75S")),
        Duration.parse(System.getProperty("benchmark.warmup", "PT10S")),
        Duration.parse(System.getProperty("benchmark.window", "PT12S")),
        Integer.getInteger("benchmark.burst-jobs", 500),
        Long.getLong("benchmark.launch-millis", 200),
        Integer.getInteger("benchmark.registry-terminated", 10_000),
        Integer.getInteger("benchmark.registry-live", 1_000),
        Boolean.parseBoolean(System.getProperty("benchmark.profile", "true")),
        System.getProperty("benchmark.label", "current"),
        Path.of(System.getProperty("benchmark.output", "docs/benchmarks")),
        Arrays.stream(System.getProperty("benchmark.service-properties", "").split(","))
            .map(String::strip)
            .filter(setting -> !setting.isEmpty())
            .map(setting -> setting.split("=", 2))
            .collect(
                Collectors.toMap(
                    setting -> setting[0], setting -> setting.length > 1 ? setting[1] : "")),
        Arrays.stream(System.getProperty("benchmark.service-jvm-options", "").split(" "))
            .map(String::strip)
            .filter(option -> !option.isEmpty())
            .toList());
  }
}
