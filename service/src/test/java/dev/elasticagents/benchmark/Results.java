package dev.elasticagents.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Every figure of every run, by scenario and contender, and their medians. */
final class Results {

  /** A closed-loop scenario: the path measured and the instances in flight. */
  record Scenario(String path, int concurrency) {
    String label() {
      return path + ", C=" + concurrency;
    }
  }

  /** The burst of one contender in one run. */
  record BurstRun(Burst.Result result, int peakInFlight) {}

  private final Map<Scenario, Map<Contender, List<Measurement>>> loops = new LinkedHashMap<>();
  private final Map<Contender, List<BurstRun>> bursts = new EnumMap<>(Contender.class);
  private final Map<Contender, List<Long>> residentKilobytes = new EnumMap<>(Contender.class);
  private final List<RegistryFill.Counts> registryFills = new ArrayList<>();
  private final List<Long> registryScaleLiveAfter = new ArrayList<>();
  private final List<Duration> serviceReadyAfter = new ArrayList<>();
  private final List<Duration> serviceReadyWithoutAotCache = new ArrayList<>();

  void add(Scenario scenario, Contender contender, Measurement measurement) {
    loops
        .computeIfAbsent(scenario, s -> new EnumMap<>(Contender.class))
        .computeIfAbsent(contender, c -> new ArrayList<>())
        .add(measurement);
  }

  void add(Contender contender, BurstRun burst) {
    bursts.computeIfAbsent(contender, c -> new ArrayList<>()).add(burst);
  }

  void addResidentSet(Contender contender, long kilobytes) {
    residentKilobytes.computeIfAbsent(contender, c -> new ArrayList<>()).add(kilobytes);
  }

  /** The registry's agents around the fill of the registry-scale scenario, one per run. */
  void addRegistryFill(RegistryFill.Counts counts, long liveAfterScenario) {
    registryFills.add(counts);
    registryScaleLiveAfter.add(liveAfterScenario);
  }

  /**
   * How long the service took from its JVM's start until it was ready, on its AOT cache as the
   * image runs it, one per run.
   */
  void addServiceReadyAfter(Duration readyAfter) {
    serviceReadyAfter.add(readyAfter);
  }

  /** The same without the AOT cache, one per run. */
  void addServiceReadyWithoutAotCache(Duration readyAfter) {
    serviceReadyWithoutAotCache.add(readyAfter);
  }

  /** Adds every figure of {@code turn}, one contender's finished turn, to these. */
  void addAll(Results turn) {
    turn.loops.forEach(
        (scenario, byContender) ->
            byContender.forEach(
                (contender, measurements) ->
                    measurements.forEach(measurement -> add(scenario, contender, measurement))));
    turn.bursts.forEach((contender, runs) -> runs.forEach(burst -> add(contender, burst)));
    turn.residentKilobytes.forEach(
        (contender, sizes) -> sizes.forEach(size -> addResidentSet(contender, size)));
    registryFills.addAll(turn.registryFills);
    registryScaleLiveAfter.addAll(turn.registryScaleLiveAfter);
    serviceReadyAfter.addAll(turn.serviceReadyAfter);
    serviceReadyWithoutAotCache.addAll(turn.serviceReadyWithoutAotCache);
  }

  /** Whether a closed loop of these figures completed no instance: its engine stopped working. */
  boolean anyLoopCompletedNothing() {
    return loops.values().stream()
        .flatMap(byContender -> byContender.values().stream())
        .flatMap(List::stream)
        .anyMatch(measurement -> measurement.completed() == 0);
  }

  Map<Scenario, Map<Contender, List<Measurement>>> loops() {
    return loops;
  }

  Map<Contender, List<BurstRun>> bursts() {
    return bursts;
  }

  Map<Contender, List<Long>> residentKilobytes() {
    return residentKilobytes;
  }

  List<RegistryFill.Counts> registryFills() {
    return registryFills;
  }

  /**
   * The live agents of the registry-scale scenario's cluster profile after its loop, one per run:
   * those filled and those the loop created.
   */
  List<Long> registryScaleLiveAfter() {
    return registryScaleLiveAfter;
  }

  List<Duration> serviceReadyAfter() {
    return serviceReadyAfter;
  }

  List<Duration> serviceReadyWithoutAotCache() {
    return serviceReadyWithoutAotCache;
  }

  List<Measurement> of(Scenario scenario, Contender contender) {
    return loops.getOrDefault(scenario, Map.of()).getOrDefault(contender, List.of());
  }

  /** The median, least and greatest of a figure over runs. */
  record Spread(double median, double min, double max) {

    static <T> Spread of(List<T> runs, ToDoubleFunction<T> figure) {
      double[] values = runs.stream().mapToDouble(figure).sorted().toArray();
      if (values.length == 0) {
        return new Spread(Double.NaN, Double.NaN, Double.NaN);
      }
      int middle = values.length / 2;
      double median =
          values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
      return new Spread(median, values[0], Arrays.stream(values).max().orElseThrow());
    }

    String format(String pattern) {
      if (Double.isNaN(median)) {
        return "–";
      }
      return pattern.formatted(median)
          + " ("
          + pattern.formatted(min)
          + "–"
          + pattern.formatted(max)
          + ")";
    }
  }
}
