package dev.elasticagents.zeebe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A real Zeebe broker with embedded gateway, run from the distribution as a child process bound
 * to 127.0.0.1 on free ports with a fresh data directory. A fault run may kill it and start it
 * again on the same ports and data directory.
 *
 * <p>The broker runs under a small shell watchdog that reads this JVM's end of a pipe: when this
 * JVM exits for any reason, including {@code kill -9}, the pipe closes and the watchdog stops the
 * broker, so no broker outlives the JVM that started it.
 */
public final class LocalZeebeBroker implements AutoCloseable {

  /** System property naming the unpacked distribution; the build sets it. */
  public static final String DISTRIBUTION_PROPERTY = "zeebe.distribution";

  /**
   * How long a test's create-with-result request waits. A request from the gateway to the broker
   * that times out makes the gateway close its connection to the broker (Atomix closes a channel
   * whose request timed out), which cuts every other request in flight on it, the service's and
   * other tests' included ("Connection ... was closed", status ABORTED). A test that leaves a
   * lifecycle waiting would cut the requests of the tests that run after it when its request
   * expires; so requests wait longer than any test run, and the broker stops with the run.
   */
  public static final Duration RESULT_TIMEOUT = Duration.ofHours(2);

  private static final String DEFAULT_DISTRIBUTION = "target/zeebe/camunda-zeebe-8.6.0";
  private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);

  // Runs the broker in the background and stops it on SIGTERM or when stdin (fd 3) closes.
  private static final String WATCHDOG =
      """
      exec 3<&0
      "$0" </dev/null &
      broker=$!
      trap 'kill -TERM $broker 2>/dev/null' TERM INT
      ( cat <&3 >/dev/null; kill -TERM $broker 2>/dev/null ) &
      while kill -0 $broker 2>/dev/null; do wait $broker; done
      """;

  private final Path distribution;
  private final Map<String, String> environment;
  private final Ports ports;
  private final Path runDirectory;
  // Replaced by restart(); read by any thread.
  private volatile Process watchdog;

  private LocalZeebeBroker(
      Path distribution, Map<String, String> environment, Ports ports, Path runDirectory) {
    this.distribution = distribution;
    this.environment = environment;
    this.ports = ports;
    this.runDirectory = runDirectory;
  }

  /** Starts a broker from the distribution the build unpacked, with runs under {@code target/}. */
  public static LocalZeebeBroker startFromBuild() {
    return startFromBuild(Map.of());
  }

  /**
   * Starts a broker from the distribution the build unpacked, with extra broker settings as
   * environment variables ({@code ZEEBE_BROKER_...}).
   */
  public static LocalZeebeBroker startFromBuild(Map<String, String> settings) {
    Path distribution =
        Path.of(System.getProperty(DISTRIBUTION_PROPERTY, DEFAULT_DISTRIBUTION)).toAbsolutePath();
    return start(distribution, distribution.getParent().resolveSibling("zeebe-runs"), settings);
  }

  /** Starts a broker and waits until its partition is healthy. */
  public static LocalZeebeBroker start(Path distribution, Path runsDirectory) {
    return start(distribution, runsDirectory, Map.of());
  }

  /** Starts a broker with extra settings and waits until its partition is healthy. */
  public static LocalZeebeBroker start(
      Path distribution, Path runsDirectory, Map<String, String> settings) {
    Path script = distribution.resolve("bin/broker");
    if (!Files.isExecutable(script)) {
      throw new IllegalStateException(
          "No Zeebe distribution at %s: run the build first (./mvnw test-compile unpacks it)"
              .formatted(distribution));
    }
    if (Runtime.version().feature() < 21) {
      throw new IllegalStateException(
          "The Zeebe broker needs Java 21 or later, this JVM is " + Runtime.version());
    }
    try {
      Files.createDirectories(runsDirectory);
      Path runDirectory = Files.createTempDirectory(runsDirectory, "broker-");
      Ports ports = Ports.allocate();
      Map<String, String> variables = new HashMap<>(settings);
      variables.putAll(environment(ports, runDirectory.resolve("data")));
      LocalZeebeBroker broker = new LocalZeebeBroker(distribution, Map.copyOf(variables), ports, runDirectory);
      broker.launch();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the Zeebe broker", e);
    }
  }

  /** Runs the broker under its watchdog, appending to its log, and waits until it is healthy. */
  private void launch() {
    ProcessBuilder builder =
        new ProcessBuilder("/bin/sh", "-c", WATCHDOG, distribution.resolve("bin/broker").toString())
            .directory(distribution.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
    builder.environment().putAll(environment);
    try {
      watchdog = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the Zeebe broker", e);
    }
    awaitHealthy();
  }

  /**
   * Kills the broker with SIGKILL, and its watchdog, as a crashed host would: nothing is flushed
   * or closed. Its data directory stays for {@link #restart()}.
   */
  public void kill() {
    List<ProcessHandle> processes = processes();
    processes.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle process : processes) {
      try {
        process.onExit().get(SHUTDOWN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException("Process " + process.pid() + " of the broker survived SIGKILL", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while killing the Zeebe broker", e);
      }
    }
    closeQuietly(watchdog);
  }

  /** Starts the broker again on the same ports and data directory and waits until it is healthy. */
  public void restart() {
    if (isAlive()) {
      throw new IllegalStateException("The Zeebe broker still runs; kill or close it first");
    }
    launch();
  }

  private static void closeQuietly(Process process) {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // The pipe is gone with the process.
    }
  }

  private static Map<String, String> environment(Ports ports, Path dataDirectory) {
    return Map.ofEntries(
        Map.entry("JAVA_HOME", System.getProperty("java.home")),
        Map.entry("JAVA_OPTS", "-Xms128m -Xmx768m"),
        Map.entry("ZEEBE_BROKER_NETWORK_HOST", "127.0.0.1"),
        Map.entry("ZEEBE_BROKER_NETWORK_COMMANDAPI_PORT", String.valueOf(ports.commandApi())),
        Map.entry("ZEEBE_BROKER_NETWORK_INTERNALAPI_PORT", String.valueOf(ports.internalApi())),
        Map.entry("ZEEBE_BROKER_GATEWAY_NETWORK_HOST", "127.0.0.1"),
        Map.entry("ZEEBE_BROKER_GATEWAY_NETWORK_PORT", String.valueOf(ports.grpc())),
        Map.entry("SERVER_ADDRESS", "127.0.0.1"),
        Map.entry("SERVER_PORT", String.valueOf(ports.rest())),
        Map.entry("MANAGEMENT_SERVER_ADDRESS", "127.0.0.1"),
        Map.entry("MANAGEMENT_SERVER_PORT", String.valueOf(ports.monitoring())),
        Map.entry("ZEEBE_BROKER_DATA_DIRECTORY", dataDirectory.toString()));
  }

  /** The gRPC gateway, for activating jobs. */
  public URI grpcAddress() {
    return URI.create("http://127.0.0.1:" + ports.grpc());
  }

  /** The REST gateway, for {@code /v2} calls. */
  public URI restAddress() {
    return URI.create("http://127.0.0.1:" + ports.rest());
  }

  /** The watchdog and every process under it, the broker among them. */
  public List<ProcessHandle> processes() {
    return Stream.concat(Stream.of(watchdog.toHandle()), watchdog.descendants()).toList();
  }

  /** Whether the broker process still runs. */
  public boolean isAlive() {
    return watchdog.isAlive();
  }

  /** Where the broker writes its output. */
  public Path logFile() {
    return runDirectory.resolve("broker.log");
  }

  /** Stops the broker, gracefully if it stops within a minute, and deletes its data. */
  @Override
  public void close() {
    List<ProcessHandle> processes = processes();
    if (!watchdog.isAlive()) {
      processes.forEach(ProcessHandle::destroyForcibly);
      deleteRecursively(runDirectory.resolve("data"));
      return;
    }
    try {
      watchdog.getOutputStream().close();
      if (!watchdog.waitFor(SHUTDOWN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        processes.forEach(ProcessHandle::destroyForcibly);
      }
    } catch (IOException e) {
      processes.forEach(ProcessHandle::destroyForcibly);
    } catch (InterruptedException e) {
      processes.forEach(ProcessHandle::destroyForcibly);
      Thread.currentThread().interrupt();
    }
    deleteRecursively(runDirectory.resolve("data"));
  }

  private void awaitHealthy() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest topology =
        HttpRequest.newBuilder(restAddress().resolve("/v2/topology"))
            .timeout(Duration.ofSeconds(5))
            .build();
    Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!watchdog.isAlive()) {
        throw new IllegalStateException("The Zeebe broker exited at start-up; see " + logFile());
      }
      if (isHealthy(http, topology)) {
        return;
      }
      pause(Duration.ofMillis(500));
    }
    close();
    throw new IllegalStateException(
        "The Zeebe broker was not healthy within %s; see %s".formatted(STARTUP_TIMEOUT, logFile()));
  }

  private static boolean isHealthy(HttpClient http, HttpRequest topology) {
    try {
      HttpResponse<String> response = http.send(topology, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return false;
      }
      JsonNode brokers = new ObjectMapper().readTree(response.body()).path("brokers");
      return brokers.size() > 0
          && brokers.findValues("partitions").stream()
              .flatMap(partitions -> partitions.valueStream())
              .anyMatch(
                  p ->
                      "leader".equals(p.path("role").asText())
                          && "healthy".equals(p.path("health").asText()));
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the Zeebe broker", e);
    }
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the Zeebe broker", e);
    }
  }

  private static void deleteRecursively(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + directory, e);
    }
  }

  private record Ports(int grpc, int rest, int commandApi, int internalApi, int monitoring) {

    static Ports allocate() throws IOException {
      List<ServerSocket> sockets =
          Stream.generate(Ports::openFreeSocket).limit(5).toList();
      try {
        int[] ports = sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        return new Ports(ports[0], ports[1], ports[2], ports[3], ports[4]);
      } finally {
        for (ServerSocket socket : sockets) {
          socket.close();
        }
      }
    }

    private static ServerSocket openFreeSocket() {
      try {
        return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      } catch (IOException e) {
        throw new UncheckedIOException("No free port on 127.0.0.1", e);
      }
    }
  }
}
