package dev.elasticagents.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The local agents of a fault run's work directory, as the test sees them from outside the service:
 * each agent's directory holds the {@code agent.pid} file the local provider wrote (the process id
 * and the process's start time, which guards against a reused pid).
 */
record LocalAgents(Path directory) {

  /** Agents whose process runs, with their pid. */
  Map<String, Long> running() {
    Map<String, Long> running = new HashMap<>();
    if (!Files.isDirectory(directory)) {
      return running;
    }
    try (Stream<Path> agents = Files.list(directory)) {
      agents.forEach(
          agent ->
              processOf(agent).ifPresent(pid -> running.put(agent.getFileName().toString(), pid)));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + directory, e);
    }
    return running;
  }

  /** The agent's process, once the provider launched it and while it runs. */
  Optional<ProcessHandle> process(String agent) {
    return handleOf(directory.resolve(agent));
  }

  private static Optional<Long> processOf(Path agent) {
    return handleOf(agent).map(ProcessHandle::pid);
  }

  private static Optional<ProcessHandle> handleOf(Path agent) {
    try {
      String[] fields = Files.readString(agent.resolve("agent.pid")).strip().split(" ");
      long startedAt = Long.parseLong(fields[1]);
      return ProcessHandle.of(Long.parseLong(fields[0]))
          .filter(ProcessHandle::isAlive)
          .filter(
              process ->
                  process.info().startInstant().map(Instant::toEpochMilli).orElse(0L) == startedAt);
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // no pid file (yet, or any more)
    }
  }

  /**
   * Kills an agent's process and its children with SIGKILL, as a crash or the OOM killer does, and
   * waits until it is gone.
   */
  static void kill(ProcessHandle process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.onExit().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "Interrupted while killing agent process " + process.pid(), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Agent process " + process.pid() + " outlived SIGKILL", e);
    }
  }

  /** Kills every agent process: nothing outlives the run. */
  void killAll() {
    running()
        .values()
        .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }

  /**
   * Kills the agents an earlier run may have left and deletes {@code runDirectory}, which holds the
   * agents' directory, with everything else of that run.
   */
  LocalAgents clearedWith(Path runDirectory) {
    killAll();
    if (Files.exists(runDirectory)) {
      try (Stream<Path> paths = Files.walk(runDirectory)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot clear " + runDirectory, e);
      }
    }
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + directory, e);
    }
    return this;
  }
}
