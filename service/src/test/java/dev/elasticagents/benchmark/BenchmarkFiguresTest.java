package dev.elasticagents.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The benchmark's arithmetic: medians over runs and ratios taken within each run. */
class BenchmarkFiguresTest {

  @Test
  void theMedianOfAnOddNumberOfRunsIsTheMiddleOneWithTheExtremesAsSpread() {
    Results.Spread spread = Results.Spread.of(List.of(300.0, 100.0, 200.0), Double::doubleValue);

    assertThat(spread).isEqualTo(new Results.Spread(200, 100, 300));
    assertThat(spread.format("%.0f")).isEqualTo("200 (100–300)");
  }

  @Test
  void theMedianOfAnEvenNumberOfRunsIsTheMeanOfTheMiddleTwo() {
    assertThat(Results.Spread.of(List.of(4.0, 1.0, 3.0, 2.0), Double::doubleValue).median())
        .isEqualTo(2.5);
  }

  @Test
  void noRunsGiveNoFigureRatherThanZero() {
    assertThat(Results.Spread.of(List.<Double>of(), Double::doubleValue).format("%.0f"))
        .isEqualTo("–");
  }

  @Test
  void ratiosAreTakenRunByRunBeforeTheirMedian() {
    // Run 1 is slow for both, run 2 fast for both: per run the service is at 0.9 of its peer.
    List<Double> service = List.of(90.0, 270.0, 180.0);
    List<Double> peer = List.of(100.0, 300.0, 200.0);

    Results.Spread ratio = BenchmarkReport.ratio(service, peer, Double::doubleValue);

    assertThat(ratio.median()).isCloseTo(0.9, within(1e-9));
    assertThat(ratio.max() - ratio.min()).isCloseTo(0, within(1e-9));
  }

  @Test
  void aFinishedTurnsFiguresJoinTheRunsBesideThoseOfTheTurnsBefore() {
    Results.Scenario resent = new Results.Scenario(WorkerBenchmark.RESENT, 32);
    Results runs = new Results();
    runs.add(resent, Contender.SERVICE, measured(40, 80));
    Results turn = new Results();
    turn.add(resent, Contender.SERVICE, measured(50, 75));
    turn.addResidentSet(Contender.SERVICE, 300_000);
    turn.addServiceReadyAfter(Duration.ofSeconds(4));

    runs.addAll(turn);

    assertThat(runs.of(resent, Contender.SERVICE))
        .containsExactly(measured(40, 80), measured(50, 75));
    assertThat(runs.residentKilobytes()).containsEntry(Contender.SERVICE, List.of(300_000L));
    assertThat(runs.serviceReadyAfter()).containsExactly(Duration.ofSeconds(4));
  }

  @Test
  void aTurnWithALoopThatCompletedNothingIsKnownByItAsOneWhoseEngineBroke() {
    Results turn = new Results();
    turn.add(new Results.Scenario(WorkerBenchmark.RESENT, 32), Contender.SERVICE, measured(40, 80));
    assertThat(turn.anyLoopCompletedNothing()).isFalse();

    turn.add(new Results.Scenario(WorkerBenchmark.CREATE, 32), Contender.SERVICE, measured(0, 0));

    assertThat(turn.anyLoopCompletedNothing()).isTrue();
  }

  @Test
  void aMeasurementGivesThroughputAndCpuPerCompletedInstance() {
    Measurement measurement =
        new Measurement(1_200, Duration.ofSeconds(12), 80, 200, 0, Duration.ofMillis(2_400));

    assertThat(measurement.throughput()).isEqualTo(100);
    assertThat(measurement.cpuMillisPerJob()).isEqualTo(2);
    assertThat(measurement.cpuPercentOfCore()).isCloseTo(20, within(1e-9));
  }

  @Test
  void theTargetsCompareTheServiceWithTheNoOpStarterWithinEachRun() throws Exception {
    BenchmarkSettings settings = BenchmarkSettings.fromSystemProperties();
    int concurrency = settings.concurrencies().getFirst();
    Results results = new Results();
    // CPU per job: 0.3 ms for the starter, 0.42 ms re-sent, 0.5 ms created (and on the empty
    // cluster profile of the registry-scale baseline), 0.54 ms created with the registry filled.
    results.add(
        new Results.Scenario(WorkerBenchmark.NOOP, concurrency),
        Contender.STARTER_DEFAULT,
        measured(1_000, 300));
    results.add(
        new Results.Scenario(WorkerBenchmark.RESENT, concurrency),
        Contender.SERVICE,
        measured(1_000, 420));
    results.add(
        new Results.Scenario(WorkerBenchmark.CREATE, concurrency),
        Contender.SERVICE,
        measured(500, 250));
    results.add(
        new Results.Scenario(WorkerBenchmark.SCALE_BASELINE, concurrency),
        Contender.SERVICE,
        measured(500, 250));
    results.add(
        new Results.Scenario(WorkerBenchmark.registryScaleLabel(settings), concurrency),
        Contender.SERVICE,
        measured(500, 270));
    results.addResidentSet(Contender.SERVICE, 320 * 1024);
    results.addServiceReadyAfter(Duration.ofMillis(2_400));
    results.addServiceReadyWithoutAotCache(Duration.ofMillis(4_100));
    results.addRegistryFill(new RegistryFill.Counts(12_000, 11_990, 23_000, 10_000, 1_000), 9_000);
    BenchmarkReport.Environment environment =
        new BenchmarkReport.Environment("cpu", 2, "8 GiB", "os", "jdk", "engine", "8.8", "3", "pg");

    String report = new BenchmarkReport(settings, results, environment).markdown(Optional.empty());

    String c = ", C=" + concurrency + " | ";
    assertThat(report)
        .contains(
            "| CPU per job vs the no-op `@JobWorker` (defaults), re-sent path"
                + c
                + "≤ 2.00× | 1.40× (1.40×–1.40×) | yes |",
            "| CPU per job vs the no-op `@JobWorker` (defaults), re-sent path"
                + c
                + "≤ 1.50× (stretch) | 1.40× (1.40×–1.40×) | yes |",
            "| CPU per job vs the no-op `@JobWorker` (defaults), create path"
                + c
                + "≤ 2.00× | 1.67× (1.67×–1.67×) | yes |",
            "| Throughput vs the no-op `@JobWorker` (defaults), re-sent path"
                + c
                + "≥ 0.95× | 1.00× (1.00×–1.00×) | yes |",
            "| CPU per job with 10,000 terminated and 1,000 live agents vs the empty registry,"
                + " create path"
                + c
                + "≤ 1.10× | 1.08× (1.08×–1.08×) | yes |",
            "| Service's resident set after its runs | < 300 MB | 320 MB (320 MB–320 MB) | **no**"
                + " |",
            "| Ready after start, on the AOT cache as the image builds it | < 3 s | 2.4 s (2.4"
                + " s–2.4 s) | yes |",
            "| service, no AOT cache | 4.1 s (4.1 s–4.1 s) |",
            "Before the fill the table held 12,000 (12,000–12,000) agents");
  }

  @Test
  void theReportStatesTheWorkerSettingsOfTheServiceFromItsOwnConfiguration() throws IOException {
    BenchmarkSettings defaults = BenchmarkSettings.fromSystemProperties();

    assertThat(report(defaults.withServiceProperties(Map.of())))
        .contains(
            "The service at its defaults (`job-workers.max-jobs-active=64`,"
                + " `job-workers.max-outcomes-in-flight=128`, stream enabled,");
    assertThat(report(defaults.withServiceProperties(Map.of("job-workers.max-jobs-active", "32"))))
        .contains(
            "(`job-workers.max-jobs-active=32`, `job-workers.max-outcomes-in-flight=128`,",
            "besides: `{job-workers.max-jobs-active=32}`");
  }

  private static String report(BenchmarkSettings settings) throws IOException {
    BenchmarkReport.Environment environment =
        new BenchmarkReport.Environment("cpu", 2, "8 GiB", "os", "jdk", "engine", "8.8", "3", "pg");
    return new BenchmarkReport(settings, new Results(), environment).markdown(Optional.empty());
  }

  /** A window of 10 s in which the worker completed {@code completed} for {@code cpuMillis}. */
  private static Measurement measured(long completed, long cpuMillis) {
    return new Measurement(
        completed * 10, Duration.ofSeconds(10), 50, 100, 0, Duration.ofMillis(cpuMillis * 10));
  }
}
