package dev.elasticagents.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
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
  void aMeasurementGivesThroughputAndCpuPerCompletedInstance() {
    Measurement measurement =
        new Measurement(1_200, Duration.ofSeconds(12), 80, 200, 0, Duration.ofMillis(2_400));

    assertThat(measurement.throughput()).isEqualTo(100);
    assertThat(measurement.cpuMillisPerJob()).isEqualTo(2);
    assertThat(measurement.cpuPercentOfCore()).isCloseTo(20, within(1e-9));
  }
}
