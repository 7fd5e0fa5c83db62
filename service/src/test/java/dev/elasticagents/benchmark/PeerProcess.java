package dev.elasticagents.benchmark;

import static org.awaitility.Awaitility.await;

import dev.elasticagents.faults.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Starts a peer worker as a JVM of its own, so that its CPU and memory are its own. */
final class PeerProcess {

  /** What a peer prints once its workers are open. */
  static final String READY = "benchmark peer ready";

  private PeerProcess() {}

  /**
   * Starts {@code mainClass} of the test classes with these arguments and waits until it is ready.
   */
  static ServiceProcess start(
      Class<?> mainClass, Path peakFile, List<String> arguments, Path logFile) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xmx384m",
            "-D" + InFlight.PEAK_FILE + "=" + peakFile,
            "-cp",
            ServiceProcess.classPath(),
            mainClass.getName()));
    command.addAll(arguments);
    ServiceProcess peer = ServiceProcess.watched(command, logFile.getParent(), logFile, 0);
    await(mainClass.getSimpleName() + " ready; see " + logFile)
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              if (!peer.jvm().isAlive()) {
                throw new IllegalStateException(
                    mainClass.getSimpleName() + " exited at start-up; see " + logFile);
              }
              return peer.logged(READY);
            });
    return peer;
  }
}
