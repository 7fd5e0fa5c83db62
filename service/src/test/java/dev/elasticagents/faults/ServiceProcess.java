package dev.elasticagents.faults;

import static org.awaitility.Awaitility.await;

import java.io.File;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The service as a real child JVM, so that a test can SIGKILL or SIGTERM it. The JVM runs under a
 * small shell watchdog that reads this JVM's end of a pipe: when the test JVM exits for any reason,
 * including {@code kill -9}, the pipe closes and the watchdog kills the service and the agents in
 * its work directory, so nothing outlives the test. A service that stops while the test JVM runs
 * leaves its agents to the next start. The test signals the service's own JVM, whose pid the
 * watchdog writes to a file, and gets its exit code from the watchdog.
 */
public final class ServiceProcess implements AutoCloseable {

  private static final String MAIN_CLASS = "dev.elasticagents.ElasticAgentWorkersApplication";
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

  // Runs the command in the background, writes its pid, and exits with its exit code, emptying the
  // pid file first. A watcher reads stdin (fd 3) until it closes: when the test JVM dies while the
  // service runs, it kills the service and every agent process in the work directory (a pid counts
  // only while its process's working directory is the agent's). When the service exited first,
  // the pipe closes with the watchdog and the watcher leaves the agents to the next start.
  private static final String WATCHDOG =
      """
      exec 3<&0
      "$@" </dev/null &
      service=$!
      echo $service > "$SERVICE_PID_FILE"
      ( cat <&3 >/dev/null
        if [ -s "$SERVICE_PID_FILE" ]; then
          kill -KILL $service 2>/dev/null
          for agent in "$AGENTS_DIRECTORY"/*/; do
            pid=$(cut -d ' ' -f 1 "${agent}agent.pid" 2>/dev/null)
            [ -n "$pid" ] && [ "$(readlink /proc/$pid/cwd)" = "$(cd "$agent" && pwd -P)" ] && kill -KILL $pid
          done
        fi ) &
      wait $service
      status=$?
      : > "$SERVICE_PID_FILE"
      exit $status
      """;

  private final Process watchdog;
  private final ProcessHandle jvm;
  private final Path logFile;
  private final int port;

  private ServiceProcess(Process watchdog, ProcessHandle jvm, Path logFile, int port) {
    this.watchdog = watchdog;
    this.jvm = jvm;
    this.logFile = logFile;
    this.port = port;
  }

  /**
   * Starts the service with these JVM options besides the heap limit and these properties (as
   * {@code --key=value} arguments) on a free port of 127.0.0.1 and waits until it is ready: its
   * readiness probe answers 200 once the models are deployed and the workers opened.
   */
  static ServiceProcess start(
      List<String> jvmOptions, Map<String, String> properties, Path agents, Path logFile) {
    return start(MAIN_CLASS, jvmOptions, properties, agents, logFile);
  }

  /**
   * Starts {@code mainClass}, a main that runs the service (with fixtures of the test sources,
   * say), as {@link #start(List, Map, Path, Path)} does.
   */
  public static ServiceProcess start(
      String mainClass,
      List<String> jvmOptions,
      Map<String, String> properties,
      Path agents,
      Path logFile) {
    return start(classPath(), mainClass, jvmOptions, properties, agents, logFile);
  }

  /**
   * Starts {@code mainClass} on {@code classPath} rather than this JVM's, as {@link #start(String,
   * List, Map, Path, Path)} does.
   */
  public static ServiceProcess start(
      String classPath,
      String mainClass,
      List<String> jvmOptions,
      Map<String, String> properties,
      Path agents,
      Path logFile) {
    int port = freePort();
    int managementPort = freePort();
    List<String> command = java(jvmOptions);
    command.addAll(List.of("-cp", classPath, mainClass));
    properties.forEach((key, value) -> command.add("--" + key + "=" + value));
    command.add("--server.address=127.0.0.1");
    command.add("--server.port=" + port);
    command.add("--management.server.port=" + managementPort);
    command.add("--elastic-agents.local.work-directory=" + agents.toAbsolutePath());
    ServiceProcess service = watched(command, agents, logFile, managementPort);
    service.awaitReady();
    return service;
  }

  /**
   * The command line of the service's JVM up to its class path: this JVM's {@code java}, the heap
   * limit of the container's defaults, then {@code jvmOptions}.
   */
  public static List<String> java(List<String> jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx384m");
    command.addAll(jvmOptions);
    return command;
  }

  /** Runs {@code command} as the service under the watchdog, without waiting for anything more. */
  public static ServiceProcess watched(List<String> command, Path agents, Path logFile, int port) {
    List<String> watched = new ArrayList<>(List.of("/bin/sh", "-c", WATCHDOG, "service-watchdog"));
    watched.addAll(command);
    try {
      Files.createDirectories(logFile.getParent());
      Path pidFile = Files.createTempFile(logFile.getParent(), "service-", ".pid");
      Files.writeString(logFile, "$ " + String.join(" ", command) + System.lineSeparator());
      ProcessBuilder builder =
          new ProcessBuilder(watched)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      builder.environment().put("SERVICE_PID_FILE", pidFile.toString());
      builder.environment().put("AGENTS_DIRECTORY", agents.toAbsolutePath().toString());
      Process watchdog = builder.start();
      return new ServiceProcess(watchdog, awaitJvm(watchdog, pidFile, logFile), logFile, port);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the service", e);
    }
  }

  /**
   * The test JVM's class path without empty entries: an empty entry would add the working
   * directory, and with it the project's {@code bpmn/} a second time.
   */
  public static String classPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.isBlank())
        .collect(Collectors.joining(File.pathSeparator));
  }

  private static ProcessHandle awaitJvm(Process watchdog, Path pidFile, Path logFile) {
    String pid =
        await("the service's pid in " + pidFile)
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(50))
            .until(
                () -> Files.readString(pidFile).strip(),
                written -> !written.isEmpty() || !watchdog.isAlive());
    return ProcessHandle.of(pid.isEmpty() ? -1 : Long.parseLong(pid))
        .orElseThrow(() -> new IllegalStateException("The service exited at once; see " + logFile));
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest readiness =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:%d/actuator/health/readiness".formatted(port)))
            .timeout(Duration.ofSeconds(2))
            .build();
    try {
      // Polled often enough that the benchmark can time the start-up from the moment it returns.
      await("the service's readiness")
          .atMost(STARTUP_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                if (!jvm.isAlive()) {
                  throw new IllegalStateException("The service exited at start-up; see " + logFile);
                }
                return isReady(http, readiness);
              });
    } catch (ConditionTimeoutException e) {
      kill();
      throw new IllegalStateException(
          "The service was not ready within %s; see %s".formatted(STARTUP_TIMEOUT, logFile), e);
    }
  }

  private static boolean isReady(HttpClient http, HttpRequest readiness) {
    try {
      return http.send(readiness, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the service", e);
    }
  }

  /** The service's own JVM, for its CPU time and memory. */
  public ProcessHandle jvm() {
    return jvm;
  }

  /** The port of its actuator on 127.0.0.1, where readiness is probed. */
  public int port() {
    return port;
  }

  boolean isAlive() {
    return jvm.isAlive();
  }

  /** SIGKILL: the JVM stops at once, with no shutdown hook, no drain, nothing sent. */
  public void kill() {
    jvm.destroyForcibly();
  }

  /** SIGTERM: the JVM shuts down as a container runtime or systemd stops it. */
  public void terminate() {
    jvm.destroy();
  }

  /** Waits for the JVM to exit and returns its exit code (143 after SIGTERM, 137 after SIGKILL). */
  public int awaitExit(Duration atMost) {
    try {
      if (!watchdog.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            "The service did not exit within %s; see %s".formatted(atMost, logFile));
      }
      return watchdog.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the service to exit", e);
    }
  }

  /** What the service logged so far. */
  public String log() {
    try {
      return Files.readString(logFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether the service logged this text; a failed assertion names the log file, not its content.
   */
  public boolean logged(String text) {
    return log().contains(text);
  }

  Path logFile() {
    return logFile;
  }

  /** Closes the watchdog's pipe, as the death of the test JVM does. */
  void closeWatchdogPipe() {
    try {
      watchdog.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kills the JVM if it still runs; its agents stay for a later start to adopt. */
  @Override
  public void close() {
    if (jvm.isAlive()) {
      kill();
      awaitExit(Duration.ofSeconds(30));
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on 127.0.0.1", e);
    }
  }
}
