package dev.elasticagents.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watchdog of the service's JVM, with {@code sleep} standing in for the service and for an
 * agent: nothing outlives the test JVM, and a service that stops leaves its agents to the next
 * start.
 */
class ServiceProcessTest {

  @TempDir Path run;
  private ProcessHandle agent;

  @AfterEach
  void killTheAgent() {
    agent.destroyForcibly();
  }

  @Test
  void theServiceAndItsAgentsAreKilledWhenTheTestJvmGoes() throws IOException {
    agent = startAgent();
    ServiceProcess service =
        ServiceProcess.watched(
            List.of("sleep", "300"), run.resolve("agents"), run.resolve("service.log"), 0);
    assertThat(service.isAlive()).isTrue();

    service.closeWatchdogPipe();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(service.isAlive()).as("service alive").isFalse();
              assertThat(agent.isAlive()).as("agent alive").isFalse();
            });
    assertThat(service.awaitExit(Duration.ofSeconds(10)))
        .as("exit code of a killed service")
        .isEqualTo(137);
  }

  @Test
  void aServiceThatExitsLeavesItsAgentsRunning() throws IOException {
    agent = startAgent();
    ServiceProcess service =
        ServiceProcess.watched(
            List.of("sh", "-c", "sleep 1; exit 3"),
            run.resolve("agents"),
            run.resolve("service.log"),
            0);

    assertThat(service.awaitExit(Duration.ofSeconds(10)))
        .as("the service's exit code")
        .isEqualTo(3);
    service.close();

    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(agent::isAlive);
  }

  /** An agent as the local provider leaves it: a process and its pid file in its directory. */
  private ProcessHandle startAgent() throws IOException {
    Path directory = Files.createDirectories(run.resolve("agents/GoCDwatchdog"));
    ProcessHandle process =
        new ProcessBuilder("sleep", "300").directory(directory.toFile()).start().toHandle();
    long started = process.info().startInstant().orElse(Instant.EPOCH).toEpochMilli();
    Files.writeString(directory.resolve("agent.pid"), process.pid() + " " + started);
    return process;
  }
}
