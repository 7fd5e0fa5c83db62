package dev.elasticagents.benchmark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;

/** The report's charts: medians of the runs, as PNG. */
final class BenchmarkCharts {

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private BenchmarkCharts() {}

  static void steady(Results results, Path file) throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Map.Entry<Results.Scenario, Map<Contender, List<Measurement>>> scenario :
        results.loops().entrySet()) {
      scenario
          .getValue()
          .forEach(
              (contender, runs) ->
                  data.addValue(
                      Results.Spread.of(runs, Measurement::throughput).median(),
                      contender == Contender.SERVICE
                          ? "service: " + scenario.getKey().path()
                          : contender.label,
                      "C=" + scenario.getKey().concurrency()));
    }
    JFreeChart chart =
        ChartFactory.createBarChart(
            "Steady path: instances completed per second (median of the runs)",
            "Instances in flight",
            "Instances/s",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    labelled(chart, "{2}");
    save(chart, file);
  }

  static void burst(Results results, BenchmarkSettings settings, Path file) throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    results
        .bursts()
        .forEach(
            (contender, runs) ->
                data.addValue(
                    Results.Spread.of(runs, run -> run.result().seconds()).median(),
                    contender.label,
                    settings.burstJobs() + " jobs, " + settings.launchMillis() + " ms each"));
    JFreeChart chart =
        ChartFactory.createBarChart(
            "Agent burst: seconds until every job has its agent (median, log scale)",
            "",
            "Seconds",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    CategoryPlot plot = chart.getCategoryPlot();
    LogAxis seconds = new LogAxis("Seconds");
    seconds.setSmallestValue(0.1);
    plot.setRangeAxis(seconds);
    labelled(chart, "{2}");
    save(chart, file);
  }

  private static void labelled(JFreeChart chart, String format) {
    BarRenderer renderer = (BarRenderer) chart.getCategoryPlot().getRenderer();
    renderer.setDefaultItemLabelGenerator(
        new StandardCategoryItemLabelGenerator(format, new java.text.DecimalFormat("0.##")));
    renderer.setDefaultItemLabelsVisible(true);
  }

  private static void save(JFreeChart chart, Path file) throws IOException {
    ChartUtils.saveChartAsPNG(file.toFile(), chart, 1000, 560);
  }
}
