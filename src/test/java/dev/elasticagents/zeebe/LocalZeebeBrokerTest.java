package dev.elasticagents.zeebe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local broker never outlives what started it. */
class LocalZeebeBrokerTest {

  @Test
  void closeStopsTheBrokerAndDeletesItsData() {
    LocalZeebeBroker broker = LocalZeebeBroker.startFromBuild();
    List<ProcessHandle> processes = broker.processes();
    Path data = broker.logFile().resolveSibling("data");
    assertThat(processes).hasSizeGreaterThan(1);
    assertThat(data).isDirectory();

    broker.close();

    assertThat(processes).noneMatch(ProcessHandle::isAlive);
    assertThat(data).doesNotExist();
  }

  @Test
  void brokerStopsWhenTheJvmThatStartedItIsKilled(@TempDir Path sources) throws Exception {
    Path starter = Files.writeString(sources.resolve("BrokerStarter.java"), BROKER_STARTER);
    Process jvm =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-D" + LocalZeebeBroker.DISTRIBUTION_PROPERTY + "="
                    + System.getProperty(LocalZeebeBroker.DISTRIBUTION_PROPERTY),
                starter.toString())
            .redirectErrorStream(true)
            .start();
    try {
      List<Long> pids = readPids(jvm);
      List<ProcessHandle> broker = pids.stream().flatMap(pid -> ProcessHandle.of(pid).stream()).toList();
      assertThat(broker).hasSize(pids.size()).allMatch(ProcessHandle::isAlive);

      jvm.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs

      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> assertThat(broker).noneMatch(ProcessHandle::isAlive));
    } finally {
      jvm.destroyForcibly();
    }
  }

  private static List<Long> readPids(Process jvm) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith("pids ")) {
        return java.util.Arrays.stream(line.substring(5).split(" ")).map(Long::valueOf).toList();
      }
    }
    throw new IllegalStateException("The JVM exited before it started a broker");
  }

  // Run by the source launcher, so that the test classes hold a single main class (the local run).
  private static final String BROKER_STARTER =
      """
      import dev.elasticagents.zeebe.LocalZeebeBroker;
      import java.time.Duration;

      class BrokerStarter {
        public static void main(String[] args) throws Exception {
          LocalZeebeBroker broker = LocalZeebeBroker.startFromBuild();
          StringBuilder pids = new StringBuilder("pids");
          broker.processes().forEach(p -> pids.append(' ').append(p.pid()));
          System.out.println(pids);
          System.out.flush();
          Thread.sleep(Duration.ofMinutes(5));
        }
      }
      """;
}
