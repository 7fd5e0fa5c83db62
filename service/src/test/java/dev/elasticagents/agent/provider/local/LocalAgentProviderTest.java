package dev.elasticagents.agent.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.elasticagents.agent.AgentId;
import dev.elasticagents.agent.AgentLaunch;
import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.agent.AutoRegisterKey;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Agents as real operating-system processes. */
@ExtendWith(OutputCaptureExtension.class)
class LocalAgentProviderTest {

  @TempDir Path work;
  private LocalAgentProvider provider;

  @AfterEach
  void stopAgents() {
    provider.runningAgents().forEach(provider::terminate);
  }

  @Test
  void launchesTheAgentProcessInItsDirectoryWithAutoRegisterProperties() throws IOException {
    provider = provider(List.of("sleep", "infinity"));
    String agent = AgentId.next();

    provider.launch(launch(agent));

    Path file = work.resolve(agent).resolve("config/autoregister.properties");
    Properties written = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      written.load(reader);
    }
    assertThat(written)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "agent.auto.register.key", "1e0e05fc-eb45-11e5-bc83-93882adfccf6",
                "agent.auto.register.environments", "production",
                "agent.auto.register.elasticAgent.agentId", agent,
                "agent.auto.register.elasticAgent.pluginId", "dev.elasticagents.zeebe",
                "agent.auto.register.hostname", agent));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(provider.runningAgents()).containsExactly(agent);
    assertThat(provider.processOf(agent))
        .get()
        .satisfies(process -> assertThat(process.isAlive()).isTrue());
  }

  @Test
  void anAgentGetsNoneOfTheServicesEnvironmentButPathHomeLangAndWhatTheOperatorPasses()
      throws IOException {
    Map<String, String> serviceEnvironment =
        Map.of(
            "PATH", System.getenv("PATH"),
            "HOME", "/home/workers",
            "LANG", "C.UTF-8",
            "GOCD_ENDPOINT_TOKEN", "the-endpoint-token-of-the-service",
            "SPRING_DATASOURCE_PASSWORD", "registry-password",
            "CAMUNDA_CLIENT_AUTH_CLIENT_SECRET", "cluster-secret",
            "GRADLE_USER_HOME", "/cache/gradle");
    provider =
        new LocalAgentProvider(
            new LocalProperties(
                work,
                List.of("sh", "-c", "env > seen-environment; exec sleep infinity"),
                Duration.ofMillis(500),
                false,
                List.of("GRADLE_USER_HOME", "NOT_SET_ANYWHERE")),
            "host-a",
            serviceEnvironment);
    String agent = AgentId.next();

    provider.launch(launch(agent));

    Path seen = work.resolve(agent).resolve("seen-environment");
    await().until(() -> Files.exists(seen) && Files.readString(seen).contains("GRADLE_USER_HOME"));
    assertThat(Files.readAllLines(seen))
        .filteredOn(
            line ->
                !line.startsWith("PWD=") && !line.startsWith("SHLVL=") && !line.startsWith("_="))
        .containsExactlyInAnyOrder(
            "PATH=" + System.getenv("PATH"),
            "HOME=/home/workers",
            "LANG=C.UTF-8",
            "GRADLE_USER_HOME=/cache/gradle");
  }

  @Test
  void launchingAnAgentThatRunsStartsNoSecondProcess() {
    provider = provider(List.of("sleep", "infinity"));
    String agent = AgentId.next();
    provider.launch(launch(agent));
    ProcessHandle first = provider.processOf(agent).orElseThrow();
    List<ProcessHandle> before = ProcessHandle.current().children().toList();

    provider.launch(launch(agent));

    assertThat(provider.processOf(agent)).contains(first);
    assertThat(first.isAlive()).isTrue();
    assertThat(ProcessHandle.current().children()).containsExactlyInAnyOrderElementsOf(before);
  }

  @Test
  void belongsToTheInstanceThatRunsIt() {
    provider = provider(List.of("sleep", "infinity"));

    assertThat(provider.owner()).isEqualTo("local:host-a");
  }

  @Test
  void disablesTerminatesAndDeletesAnAgent() {
    provider = provider(List.of("sleep", "infinity"));
    String agent = AgentId.next();
    provider.launch(launch(agent));
    ProcessHandle process = provider.processOf(agent).orElseThrow();

    provider.disable(agent);
    assertThat(work.resolve(agent).resolve("disabled")).exists();
    provider.terminate(agent);
    assertThat(process.isAlive()).isFalse();
    provider.delete(agent);

    assertThat(work.resolve(agent)).doesNotExist();
    assertThat(provider.runningAgents()).isEmpty();
  }

  @Test
  void killsAnAgentThatIgnoresTheRequestToStop() {
    provider = provider(List.of("sh", "-c", "trap '' TERM; while :; do sleep 1; done"));
    String agent = AgentId.next();
    provider.launch(launch(agent));
    ProcessHandle process = provider.processOf(agent).orElseThrow();

    provider.terminate(agent);

    assertThat(process.isAlive()).isFalse();
  }

  @Test
  void refusesIdsThatLeadOutsideItsWorkDirectory() {
    provider = provider(List.of("sleep", "infinity"));

    for (String id : List.of("../escape", "..", "a/b", "", "-rf", "x".repeat(65))) {
      assertThatThrownBy(() -> provider.delete(id))
          .as(id)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(work.getParent().resolve("escape")).doesNotExist();
  }

  @Test
  void leavesItsAgentsRunningWhenTheServiceStops() {
    provider = provider(List.of("sleep", "infinity"));
    String agent = AgentId.next();
    provider.launch(launch(agent));
    ProcessHandle process = provider.processOf(agent).orElseThrow();

    provider.destroy();

    assertThat(process.isAlive()).isTrue();
    assertThat(provider.runningAgents()).containsExactly(agent);
  }

  @Test
  void stopsTheAgentsItStartedWhenTheServiceStopsIfConfiguredTo() {
    provider = provider(List.of("sleep", "infinity"), true);
    String agent = AgentId.next();
    provider.launch(launch(agent));
    ProcessHandle process = provider.processOf(agent).orElseThrow();

    provider.destroy();

    assertThat(process.isAlive()).isFalse();
  }

  @Test
  void runsEachAgentInAProcessSessionOfItsOwn() throws IOException {
    provider = provider(List.of("sleep", "infinity"));
    String agent = AgentId.next();

    provider.launch(launch(agent));

    ProcessHandle process = provider.processOf(agent).orElseThrow();
    // setsid makes the process a session leader, then becomes the agent's command in place.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(process.info().command())
                    .hasValueSatisfying(command -> assertThat(command).endsWith("sleep")));
    assertThat(sessionOf(process.pid()))
        .isEqualTo(process.pid())
        .isNotEqualTo(sessionOf(ProcessHandle.current().pid()));
  }

  @Test
  void aProviderStartedAgainAdoptsTheAgentsOfTheOneBefore() {
    provider = provider(List.of("sleep", "infinity"));
    String agent = AgentId.next();
    provider.launch(launch(agent));
    ProcessHandle process = provider.processOf(agent).orElseThrow();
    provider.destroy();

    provider = provider(List.of("sleep", "infinity"));

    assertThat(provider.runningAgents()).containsExactly(agent);
    provider.launch(launch(agent));
    assertThat(provider.processOf(agent)).contains(process);
    provider.terminate(agent);
    assertThat(process.isAlive()).isFalse();
  }

  @Test
  void neverTakesAProcessWhosePidWasReusedForTheAgent() throws IOException {
    provider = provider(List.of("sleep", "infinity"));
    String agent = AgentId.next();
    provider.launch(launch(agent));
    ProcessHandle process = provider.processOf(agent).orElseThrow();
    long startedAt = process.info().startInstant().orElseThrow().toEpochMilli();
    // The same pid, started at another time: what the file would say had the agent died and the
    // system given its pid to a new process.
    Files.writeString(
        work.resolve(agent).resolve("agent.pid"), process.pid() + " " + (startedAt - 60_000));

    assertThat(provider.processOf(agent)).isEmpty();
    assertThat(provider.runningAgents()).isEmpty();
    provider.terminate(agent);
    assertThat(process.isAlive()).isTrue();
    process.destroyForcibly();
  }

  @Test
  void warnsOnceAndStillLaunchesWhenTheSystemHasNoSetsid(CapturedOutput output) throws IOException {
    provider =
        new LocalAgentProvider(
            new LocalProperties(
                work, List.of("sleep", "infinity"), Duration.ofMillis(500), true, List.of()),
            "host-a",
            Map.of("PATH", "/nonexistent"));
    String agent = AgentId.next();

    provider.launch(launch(agent));

    assertThat(output.getOut())
        .containsOnlyOnce(
            "No setsid on this system: local agents share the service's process session");
    ProcessHandle process = provider.processOf(agent).orElseThrow();
    assertThat(sessionOf(process.pid())).isEqualTo(sessionOf(ProcessHandle.current().pid()));
  }

  /** The session id of a process: field 6 of /proc/PID/stat, after the command in parentheses. */
  private static long sessionOf(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[3]);
  }

  private LocalAgentProvider provider(List<String> command) {
    return provider(command, false);
  }

  private LocalAgentProvider provider(List<String> command, boolean stopAgentsOnShutdown) {
    return new LocalAgentProvider(
        new LocalProperties(work, command, Duration.ofMillis(500), stopAgentsOnShutdown, List.of()),
        "host-a");
  }

  private static AgentLaunch launch(String agent) {
    return new AgentLaunch(
        agent,
        "dev.elasticagents.zeebe",
        new AutoRegisterKey("1e0e05fc-eb45-11e5-bc83-93882adfccf6"),
        new AgentProfile("production", Map.of("image", "gocd-agent"), true));
  }
}
