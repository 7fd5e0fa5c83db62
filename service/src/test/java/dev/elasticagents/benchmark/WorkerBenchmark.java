package dev.elasticagents.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.faults.ServiceProcess;
import dev.elasticagents.gocd.testing.GoCdBody;
import dev.elasticagents.testing.RegistryDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures the service's job path against the Camunda starter's {@code @JobWorker} and a plain
 * client worker, each worker a JVM of its own, on the embedded engine in this JVM ({@link
 * BenchmarkEngine}, a fresh one for each contender's turn), and writes the report under {@code
 * docs/benchmarks/}. Not part of the test run: {@code ./mvnw -Pbenchmark test}.
 */
class WorkerBenchmark {

  private static final Logger log = LoggerFactory.getLogger(WorkerBenchmark.class);
  static final String PROCESS = "benchmark-job";
  static final String RESENT = "re-sent create-agent (ALREADY_CREATED)";
  static final String CREATE = "create-agent with launch (CREATED)";
  static final String NOOP = "no-op job";
  static final String BURST_PROFILE = "benchmark-burst";
  static final String CREATE_PROFILE = "benchmark-create";

  /** The cluster profile of the registry-scale scenario, filled before it is measured. */
  static final String SCALE_PROFILE = "benchmark-scale";

  /** The cluster profile of its baseline, measured just before the fill and never filled. */
  static final String SCALE_BASELINE_PROFILE = "benchmark-scale-baseline";

  static final String SCALE_BASELINE = "create-agent with launch, registry-scale baseline";

  private static final Duration JIT_SEGMENT = Duration.ofSeconds(5);

  private final BenchmarkSettings settings = BenchmarkSettings.fromSystemProperties();
  private final Path work = Path.of("target/benchmark").toAbsolutePath();
  // GoCD job ids, unique over the whole benchmark: each create-agent of a new job launches an
  // agent.
  private final AtomicInteger jobIds = new AtomicInteger(1_000);
  private ServiceJars serviceJars;

  @Test
  void measuresTheServiceAgainstItsPeers() throws Exception {
    Results results = new Results();
    Files.createDirectories(work);
    if (settings.contenders().contains(Contender.SERVICE) || settings.profile()) {
      serviceJars =
          ServiceJars.build(
              work.resolve("service-jars"), settings.serviceJvmOptions(), trainingProperties());
      log.info("Service jars packed and its AOT cache trained: {}", serviceJars.aotCacheOption());
    }
    for (int run = 1; run <= settings.runs(); run++) {
      // Each run starts with another contender, so that none always goes first.
      List<Contender> order = new ArrayList<>(settings.contenders());
      Collections.rotate(order, -(run - 1));
      for (Contender contender : order) {
        log.info("Run {} of {}: {}", run, settings.runs(), contender.label);
        results.addAll(turn(contender, run));
      }
    }
    Optional<Profile> profile = settings.profile() ? Optional.of(profile()) : Optional.empty();
    BenchmarkReport report =
        new BenchmarkReport(settings, results, BenchmarkReport.Environment.read());
    report.write(profile);
    log.info("Report written to {}", settings.output().toAbsolutePath());
    assertThat(
            results.of(
                new Results.Scenario(RESENT, settings.concurrencies().getFirst()),
                Contender.SERVICE))
        .hasSize(settings.contenders().contains(Contender.SERVICE) ? settings.runs() : 0)
        .allSatisfy(measurement -> assertThat(measurement.completed()).isPositive());
  }

  /**
   * The service once more, under JDK Flight Recorder, through the first closed loop of the re-sent
   * path; its recording is dumped when the service stops on SIGTERM.
   */
  private Profile profile() throws Exception {
    Path directory = work.resolve("profile");
    Files.createDirectories(directory);
    Path recording = directory.resolve("service.jfr");
    Files.deleteIfExists(recording);
    List<String> flightRecorder =
        List.of(
            serviceJars.aotCacheOption(),
            "-XX:StartFlightRecording=filename="
                + recording
                + ",settings=profile,dumponexit=true,jdk.CPUTimeSample#enabled=true,jdk.CPUTimeSample#throttle=10ms");
    int concurrency = settings.concurrencies().getFirst();
    Duration window = settings.window().multipliedBy(2);
    Instant from;
    try (BenchmarkEngine engine = BenchmarkEngine.start();
        ServiceProcess service =
            start(
                Contender.SERVICE,
                engine,
                directory,
                directory.resolve("peak"),
                flightRecorder,
                RegistryDatabases.newPostgresUrl())) {
      Map<String, Object> resent =
          request("create-agent", "benchmark-resent", jobIds.incrementAndGet());
      engine.loop().run(() -> resent, 1, Duration.ZERO, Duration.ofSeconds(1), service.jvm());
      loop(engine, () -> resent, concurrency, service.jvm());
      from = Instant.now().plus(settings.warmup());
      Measurement measured =
          engine.loop().run(() -> resent, concurrency, settings.warmup(), window, service.jvm());
      log.info(
          "Profiled: {} instances/s, {} ms CPU per job",
          measured.throughput(),
          measured.cpuMillisPerJob());
      service.terminate();
      service.awaitExit(Duration.ofMinutes(1));
    }
    return Profile.read(
        settings.label(),
        "\"" + RESENT + "\" at C=" + concurrency,
        recording,
        from,
        from.plus(window));
  }

  /**
   * One contender's turn of one run, taken once more on a fresh engine if the embedded engine broke
   * in it: under this load, zeebe-process-test's in-memory engine has been seen to stop processing
   * (its stream processor failing on its in-memory log), after which the loops complete nothing and
   * the burst times out. Only a finished turn's figures count.
   */
  private Results turn(Contender contender, int run) throws Exception {
    Results turn = new Results();
    try {
      measure(contender, turn, run, 1);
      if (!turn.anyLoopCompletedNothing()) {
        return turn;
      }
      log.warn("Run {}: a loop of {} completed nothing; its turn runs again", run, contender.label);
    } catch (TimeoutException e) {
      log.warn("Run {}: {} timed out; its turn runs again", run, contender.label, e);
    }
    turn = new Results();
    measure(contender, turn, run, 2);
    assertThat(turn.anyLoopCompletedNothing())
        .as("a loop of %s completed nothing twice", contender.label)
        .isFalse();
    return turn;
  }

  private void measure(Contender contender, Results results, int run, int attempt)
      throws Exception {
    Path directory =
        work.resolve("run-" + run)
            .resolve(contender.name().toLowerCase() + (attempt > 1 ? "-" + attempt : ""));
    Files.createDirectories(directory);
    Path peakFile = directory.resolve("peak");
    String registryUrl = RegistryDatabases.newPostgresUrl();
    try (BenchmarkEngine engine = BenchmarkEngine.start()) {
      if (contender == Contender.SERVICE) {
        readyWithoutAotCache(engine, directory.resolve("without-aot-cache"))
            .ifPresent(results::addServiceReadyWithoutAotCache);
      }
      List<String> jvmOptions =
          contender == Contender.SERVICE ? List.of(serviceJars.aotCacheOption()) : List.of();
      try (ServiceProcess worker =
          start(contender, engine, directory, peakFile, jvmOptions, registryUrl)) {
        measureTurn(contender, engine, worker, registryUrl, peakFile, results);
      }
    }
  }

  /** One contender's turn of one run, on the worker started for it. */
  private void measureTurn(
      Contender contender,
      BenchmarkEngine engine,
      ServiceProcess worker,
      String registryUrl,
      Path peakFile,
      Results results)
      throws Exception {
    ProcessHandle jvm = worker.jvm();
    if (contender == Contender.SERVICE) {
      readyAfter(jvm).ifPresent(results::addServiceReadyAfter);
      Map<String, Object> resent =
          request("create-agent", "benchmark-resent", jobIds.incrementAndGet());
      engine.loop().run(() -> resent, 1, Duration.ZERO, Duration.ofSeconds(1), jvm);
      for (int concurrency : settings.concurrencies()) {
        results.add(
            new Results.Scenario(RESENT, concurrency),
            contender,
            loop(engine, () -> resent, concurrency, jvm));
      }
      for (int concurrency : settings.concurrencies()) {
        results.add(
            new Results.Scenario(CREATE, concurrency),
            contender,
            loop(
                engine,
                () -> request("create-agent", CREATE_PROFILE, jobIds.incrementAndGet()),
                concurrency,
                jvm));
      }
      registryScale(engine, registryUrl, results, jvm);
    } else {
      Map<String, Object> noop = request(StarterPeer.NOOP, "benchmark-resent", 1);
      for (int concurrency : settings.concurrencies()) {
        results.add(
            new Results.Scenario(NOOP, concurrency),
            contender,
            loop(engine, () -> noop, concurrency, jvm));
      }
    }
    if (contender.runsBursts()) {
      String jobType = contender == Contender.SERVICE ? "create-agent" : StarterPeer.SLEEP;
      Duration atMost =
          Duration.ofMillis(settings.launchMillis() * settings.burstJobs() * 2).plusMinutes(1);
      Burst.Result burst =
          engine
              .burst()
              .run(
                  job -> request(jobType, BURST_PROFILE, jobIds.incrementAndGet()),
                  settings.burstJobs(),
                  atMost);
      results.add(contender, new Results.BurstRun(burst, InFlight.readPeak(peakFile)));
      log.info("{}: burst of {} in {} s", contender.label, burst.jobs(), burst.seconds());
    }
    if (contender == Contender.SERVICE) {
      nativeMemory(jvm, peakFile.resolveSibling("native-memory.txt"));
    }
    results.addResidentSet(contender, residentKilobytes(jvm));
  }

  /**
   * The service JVM's native memory by category, into {@code file}, when it runs with native memory
   * tracking ({@code -Dbenchmark.service-jvm-options=-XX:NativeMemoryTracking=summary}): what its
   * resident set is made of.
   */
  private void nativeMemory(ProcessHandle jvm, Path file) throws Exception {
    if (settings.serviceJvmOptions().stream()
        .noneMatch(option -> option.startsWith("-XX:NativeMemoryTracking="))) {
      return;
    }
    Process jcmd =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(jvm.pid()),
                "VM.native_memory",
                "summary")
            .redirectErrorStream(true)
            .redirectOutput(file.toFile())
            .start();
    if (!jcmd.waitFor(1, TimeUnit.MINUTES)) {
      jcmd.destroyForcibly();
    }
    log.info("Native memory of the service: {}", file);
  }

  /**
   * The create path once more, at the first concurrency, with the registry holding as many
   * terminated and live agents as a service that ran for months keeps: CPU per job should not grow
   * with them. Its baseline is the same loop just before, on a cluster profile with no agent: the
   * two run on a JVM as warm and on tables as full of the other loops' agents, so they differ by
   * the filled agents only (the create path's own loops, measured first, would favour whichever
   * runs later). The agents fill a cluster profile of their own; the loops of both add agents as
   * they go.
   */
  private void registryScale(
      BenchmarkEngine engine, String registryUrl, Results results, ProcessHandle jvm)
      throws Exception {
    int concurrency = settings.concurrencies().getFirst();
    results.add(
        new Results.Scenario(SCALE_BASELINE, concurrency),
        Contender.SERVICE,
        loop(
            engine,
            () -> request("create-agent", SCALE_BASELINE_PROFILE, jobIds.incrementAndGet()),
            concurrency,
            jvm));
    RegistryFill fill =
        new RegistryFill(
            registryUrl, SCALE_PROFILE, settings.registryTerminated(), settings.registryLive());
    RegistryFill.Counts counts = fill.fill(CREATE_PROFILE);
    log.info(
        "Registry filled: {} agents ({} live) before, {} after; cluster profile {}: {} terminated,"
            + " {} live",
        counts.agentsBefore(),
        counts.liveBefore(),
        counts.agentsAfter(),
        SCALE_PROFILE,
        counts.profileTerminated(),
        counts.profileLive());
    results.add(
        new Results.Scenario(registryScaleLabel(settings), concurrency),
        Contender.SERVICE,
        loop(
            engine,
            () -> request("create-agent", SCALE_PROFILE, jobIds.incrementAndGet()),
            concurrency,
            jvm));
    results.addRegistryFill(counts, fill.liveAgents());
  }

  /** The path of the registry-scale scenario, with the agents it adds. */
  static String registryScaleLabel(BenchmarkSettings settings) {
    return String.format(
        Locale.ROOT,
        "create-agent with launch, %,d terminated and %,d live agents in the registry",
        settings.registryTerminated(),
        settings.registryLive());
  }

  /**
   * One more start of the service, without the AOT cache, on the turn's engine and an empty
   * registry of its own, only for how long it takes to be ready; it stops before the measured one
   * starts.
   */
  private Optional<Duration> readyWithoutAotCache(BenchmarkEngine engine, Path directory) {
    try (ServiceProcess service =
        start(
            Contender.SERVICE,
            engine,
            directory,
            directory.resolve("peak"),
            List.of(),
            RegistryDatabases.newPostgresUrl())) {
      Optional<Duration> ready = readyAfter(service.jvm());
      service.terminate();
      service.awaitExit(Duration.ofMinutes(1));
      return ready;
    }
  }

  /**
   * How long the service took from its JVM's start (as the kernel has it) until its readiness probe
   * answered 200: the probe is polled, so the figure is late by up to one poll interval.
   */
  private static Optional<Duration> readyAfter(ProcessHandle jvm) {
    Instant ready = Instant.now();
    return jvm.info().startInstant().map(started -> Duration.between(started, ready));
  }

  /**
   * One measured closed loop, once the JIT has gone quiet on it: the loop runs in segments until
   * the compiler threads of the worker's JVM and of this one (the engine's and the load
   * generator's) each used less than 5 % of a core in the last one (at most {@code
   * benchmark.jvm-warmup}), then for {@code benchmark.warmup}, then it is measured.
   */
  private Measurement loop(
      BenchmarkEngine engine,
      Supplier<Map<String, Object>> variables,
      int concurrency,
      ProcessHandle jvm)
      throws InterruptedException {
    ProcessHandle self = ProcessHandle.current();
    Duration quiet = JIT_SEGMENT.dividedBy(20);
    long began = System.nanoTime();
    Duration workerJit;
    Duration engineJit;
    do {
      Duration workerBefore = JitActivity.compilerCpu(jvm);
      Duration engineBefore = JitActivity.compilerCpu(self);
      engine.loop().run(variables, concurrency, Duration.ZERO, JIT_SEGMENT, jvm);
      workerJit = JitActivity.compilerCpu(jvm).minus(workerBefore);
      engineJit = JitActivity.compilerCpu(self).minus(engineBefore);
    } while ((workerJit.compareTo(quiet) > 0 || engineJit.compareTo(quiet) > 0)
        && System.nanoTime() - began < settings.jvmWarmup().toNanos());
    log.info(
        "Warm after {} s (compilers of the worker {} ms, of the engine's JVM {} ms in the last {}"
            + " s)",
        (System.nanoTime() - began) / 1_000_000_000,
        workerJit.toMillis(),
        engineJit.toMillis(),
        JIT_SEGMENT.toSeconds());
    Measurement measurement =
        engine.loop().run(variables, concurrency, settings.warmup(), settings.window(), jvm);
    log.info(
        "C={}: {} instances/s, p99 {} ms, {} ms CPU per job",
        concurrency,
        measurement.throughput(),
        measurement.p99Millis(),
        measurement.cpuMillisPerJob());
    return measurement;
  }

  private ServiceProcess start(
      Contender contender,
      BenchmarkEngine engine,
      Path directory,
      Path peakFile,
      List<String> jvmOptions,
      String registryUrl) {
    String grpc = engine.grpcAddress().toString();
    String rest = engine.restAddress().toString();
    List<String> starter =
        List.of(
            "--camunda.client.mode=self-managed",
            "--camunda.client.grpc-address=" + grpc,
            "--camunda.client.rest-address=" + rest,
            "--camunda.client.prefer-rest-over-grpc=false",
            "--spring.main.web-application-type=none",
            "--spring.config.name=benchmark-peer",
            "--benchmark.work-millis=" + settings.launchMillis());
    return switch (contender) {
      case SERVICE -> {
        List<String> options = new ArrayList<>(settings.serviceJvmOptions());
        options.addAll(jvmOptions);
        options.add("-D" + InFlight.PEAK_FILE + "=" + peakFile);
        yield ServiceProcess.start(
            serviceJars.classPath(),
            BenchmarkService.class.getName(),
            options,
            serviceProperties(grpc, rest, directory, registryUrl),
            directory.resolve("agents"),
            directory.resolve("service.log"));
      }
      case STARTER_DEFAULT ->
          PeerProcess.start(StarterPeer.class, peakFile, starter, directory.resolve("peer.log"));
      case STARTER_TUNED -> {
        List<String> tuned = new ArrayList<>(starter);
        tuned.addAll(Contender.TUNED_STARTER);
        yield PeerProcess.start(StarterPeer.class, peakFile, tuned, directory.resolve("peer.log"));
      }
      case PLAIN_REST ->
          PeerProcess.start(
              PlainRestPeer.class, peakFile, List.of(grpc, rest), directory.resolve("peer.log"));
      case PLAIN_JDK_HTTP ->
          PeerProcess.start(
              PlainRestPeer.class,
              peakFile,
              List.of(grpc, rest, "jdk"),
              directory.resolve("peer.log"));
    };
  }

  private Map<String, String> serviceProperties(
      String grpc, String rest, Path directory, String registryUrl) {
    Map<String, String> properties = new HashMap<>();
    properties.put("camunda.client.grpc-address", grpc);
    properties.put("camunda.client.rest-address", rest);
    properties.put("spring.datasource.url", registryUrl);
    properties.put("spring.datasource.username", "postgres");
    properties.put("elastic-agents.instance-id", "benchmark-" + directory.getFileName());
    properties.putAll(trainingProperties());
    return properties;
  }

  /**
   * The service's settings that need no engine or database: those its AOT cache's training run
   * starts with, as the image's build trains it without either.
   */
  private Map<String, String> trainingProperties() {
    Map<String, String> properties = new HashMap<>();
    properties.put("elastic-agents.provider", "benchmark");
    // The benchmark measures the workers, not capacity: its requests ask for far more agents.
    properties.put("elastic-agents.capacity-ceilings.max-running-agents", "100000");
    properties.put("elastic-agents.capacity-ceilings.max-pending-agents", "100000");
    properties.put("benchmark.slow-cluster-profile", BURST_PROFILE);
    properties.put("benchmark.launch-millis", String.valueOf(settings.launchMillis()));
    properties.putAll(settings.serviceProperties());
    return properties;
  }

  private static final GoCdBody REQUEST =
      GoCdBody.createAgent()
          .withEnvironment("production")
          .withElasticAgentProfile(
              Map.of("image", "gocd/gocd-agent-debian-12:v25.3.0", "memory", "2048", "cpu", "1"))
          .withClusterProfile(
              Map.of(
                  "max_running_agents", "100000",
                  "max_pending_agents", "100000",
                  "go_server_url", "https://gocd.example.com/go"))
          .withStage("verify", "1")
          .withJobName("integration_tests");

  /** A v5 create-agent request of about 0.7 KB for GoCD job {@code jobId}, as GoCD sends it. */
  static Map<String, Object> request(String jobType, String clusterProfile, int jobId) {
    return REQUEST
        .with("job_type", jobType)
        .with("cluster_profile_properties.id", clusterProfile)
        .withJobId(jobId)
        .withPipeline("elastic-agent-workers", jobId, "build-" + jobId)
        .toMap();
  }

  /** The resident set of a process, from {@code /proc}. */
  static long residentKilobytes(ProcessHandle process) throws java.io.IOException {
    return Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status")).stream()
        .filter(line -> line.startsWith("VmRSS:"))
        .map(line -> line.replaceAll("\\D", ""))
        .mapToLong(Long::parseLong)
        .findFirst()
        .orElseThrow();
  }
}
