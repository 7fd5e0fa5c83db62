package dev.elasticagents.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine alone, as a developer starts it: one line when it accepts requests, its ports on
 * 127.0.0.1 as the command line sets them, nothing deployed, and a clean stop on SIGTERM and on
 * Ctrl-C (SIGINT).
 */
class DevEngineTest {

  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration STOP = Duration.ofSeconds(30);

  private final BlockingQueue<String> output = new LinkedBlockingQueue<>();
  private Process engine;

  @AfterEach
  void killWhatIsLeft() {
    if (engine != null) {
      engine.destroyForcibly();
    }
  }

  @ParameterizedTest(name = "stops cleanly on {0}")
  @ValueSource(strings = {"TERM", "INT"})
  void printsOneReadyLineServesOnTheGivenLoopbackPortsAndStopsCleanlyOnASignal(String signal)
      throws Exception {
    int grpcPort = freePort();
    int restPort = freePort();

    start("--grpc-port=" + grpcPort, "--rest-port=" + restPort);
    String ready = awaitLine("Engine ready");

    assertThat(ready)
        .isEqualTo(
            "Engine ready: gRPC 127.0.0.1:%d, REST http://127.0.0.1:%d"
                .formatted(grpcPort, restPort));
    assertThat(get(restPort, "/v2/topology").statusCode()).isEqualTo(200);
    assertThat(
            post(
                    restPort,
                    "/v2/process-instances",
                    "{\"processDefinitionId\":\"elastic-agent-lifecycle\"}")
                .statusCode())
        .as("nothing is deployed by the engine itself")
        .isEqualTo(404);

    new ProcessBuilder("kill", "-" + signal, String.valueOf(engine.pid())).start().waitFor();

    assertThat(engine.waitFor(STOP.toSeconds(), TimeUnit.SECONDS))
        .as("stopped within %s", STOP)
        .isTrue();
    assertThat(awaitLine("Engine stopped")).isEqualTo("Engine stopped");
    assertThatThrownBy(() -> get(restPort, "/v2/topology")).isInstanceOf(ConnectException.class);
  }

  private void start(String... arguments) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-cp", classPath(), DevEngine.class.getName()));
    command.addAll(List.of(arguments));
    engine = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(engine.getInputStream(), StandardCharsets.UTF_8))) {
                lines.lines().forEach(output::add);
              } catch (IOException e) {
                // The process ended.
              }
            },
            "dev-engine-output");
    reader.setDaemon(true);
    reader.start();
  }

  private String awaitLine(String start) throws InterruptedException {
    long deadline = System.nanoTime() + START.toNanos();
    List<String> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      String line = output.poll(1, TimeUnit.SECONDS);
      if (line != null && line.startsWith(start)) {
        return line;
      }
      if (line != null) {
        seen.add(line);
      }
    }
    throw new AssertionError(
        "No line starting '%s' within %s; it printed:%n%s"
            .formatted(start, START, String.join("\n", seen)));
  }

  private static HttpResponse<String> get(int port, String path)
      throws IOException, InterruptedException {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  private static HttpResponse<String> post(int port, String path, String body)
      throws IOException, InterruptedException {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String classPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.isBlank())
        .collect(Collectors.joining(File.pathSeparator));
  }
}
