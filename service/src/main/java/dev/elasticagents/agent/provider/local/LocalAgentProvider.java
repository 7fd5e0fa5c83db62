package dev.elasticagents.agent.provider.local;

import dev.elasticagents.agent.AgentId;
import dev.elasticagents.agent.AgentLaunch;
import dev.elasticagents.agent.AgentProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * Runs each agent as an operating-system process in a directory of its own, holding its {@code
 * config/autoregister.properties} (readable by the owner only). The command is the operator's, run
 * without a shell; nothing taken from job variables reaches it. Agents belong to the service
 * instance that launched them ({@link #owner()}): other instances, on other hosts or with another
 * work directory, cannot see their processes and leave them alone.
 *
 * <p>An agent is somebody's build, so it outlives the service: it runs in a process session of its
 * own ({@code setsid}), out of reach of the signals a terminal or a stopping service sends its own
 * group, and the service leaves it running when it stops. The next start adopts it through the
 * {@code agent.pid} file in its directory, which records the process id and the process's start
 * time, so that a pid the system reused for another process is never taken for the agent. Only
 * {@code stop-agents-on-shutdown} (the local run) stops the agents with the service.
 */
public class LocalAgentProvider implements AgentProvider, DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(LocalAgentProvider.class);
  private static final String PID_FILE = "agent.pid";
  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);

  private final Path workDirectory;
  private final LocalProperties settings;
  private final List<String> commandLine;
  private final String owner;
  private final Map<String, String> agentEnvironment;
  private final Set<String> started = ConcurrentHashMap.newKeySet();
  private final Map<String, Object> launchLocks = new ConcurrentHashMap<>();

  /**
   * @param instanceId this service instance's stable id, part of {@link #owner()}
   */
  public LocalAgentProvider(LocalProperties settings, String instanceId) {
    this(settings, instanceId, System.getenv());
  }

  /**
   * @param serviceEnvironment the service's environment: its {@code PATH} says where to look for
   *     {@code setsid}, and agents get the variables the settings pass on
   */
  LocalAgentProvider(
      LocalProperties settings, String instanceId, Map<String, String> serviceEnvironment) {
    this.settings = settings;
    this.workDirectory = settings.workDirectory().toAbsolutePath().normalize();
    this.owner = "local:" + instanceId;
    this.commandLine =
        inSessionOfItsOwn(
            settings.command(), serviceEnvironment.getOrDefault("PATH", "/usr/bin:/bin"));
    this.agentEnvironment = agentEnvironment(settings, serviceEnvironment);
  }

  /**
   * The environment every agent starts with: the allowed names only. The service's own environment
   * holds its endpoint token and its database and cluster credentials, which a build must never
   * read.
   */
  private static Map<String, String> agentEnvironment(
      LocalProperties settings, Map<String, String> serviceEnvironment) {
    Map<String, String> environment = new TreeMap<>();
    Stream.concat(LocalProperties.ALWAYS_PASSED.stream(), settings.passedEnvironment().stream())
        .filter(serviceEnvironment::containsKey)
        .forEach(name -> environment.put(name, serviceEnvironment.get(name)));
    return Map.copyOf(environment);
  }

  /** The agent's command under {@code setsid}, where the system has it. */
  private static List<String> inSessionOfItsOwn(List<String> command, String searchPath) {
    Optional<Path> setsid =
        Stream.of(searchPath.split(java.io.File.pathSeparator))
            .map(directory -> Path.of(directory, "setsid"))
            .filter(Files::isExecutable)
            .findFirst();
    if (setsid.isEmpty()) {
      log.warn(
          "No setsid on this system: local agents share the service's process session, so a signal"
              + " to the service's group (Ctrl-C in a terminal) stops them too");
      return List.copyOf(command);
    }
    return Stream.concat(Stream.of(setsid.get().toString()), command.stream()).toList();
  }

  @Override
  public String owner() {
    return owner;
  }

  @Override
  public void launch(AgentLaunch launch) {
    // A redelivered create-agent may launch the agent it reserved again: one process per agent.
    synchronized (launchLocks.computeIfAbsent(launch.agentId(), id -> new Object())) {
      if (processOf(launch.agentId()).isPresent()) {
        log.info("Local agent {} already runs", launch.agentId());
        return;
      }
      start(launch);
    }
  }

  private void start(AgentLaunch launch) {
    Path directory = directoryOf(launch.agentId());
    try {
      Files.createDirectories(directory.resolve("config"));
      writeAutoRegisterProperties(directory.resolve("config/autoregister.properties"), launch);
      ProcessBuilder builder =
          new ProcessBuilder(commandLine)
              .directory(directory.toFile())
              .redirectErrorStream(true)
              .redirectOutput(directory.resolve("agent.log").toFile());
      builder.environment().clear();
      builder.environment().putAll(agentEnvironment);
      Process process = builder.start();
      ProcessHandle handle = process.toHandle();
      Instant startedAt = handle.info().startInstant().orElse(Instant.EPOCH);
      // Written whole or not at all: a start-up that reads a half-written file would lose the
      // agent.
      Path written =
          Files.writeString(
              directory.resolve(PID_FILE + ".new"), handle.pid() + " " + startedAt.toEpochMilli());
      Files.move(
          written,
          directory.resolve(PID_FILE),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      started.add(launch.agentId());
      log.info(
          "Launched local agent {} as process {} in {}", launch.agentId(), handle.pid(), directory);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot launch local agent " + launch.agentId(), e);
    }
  }

  private static void writeAutoRegisterProperties(Path file, AgentLaunch launch)
      throws IOException {
    Properties properties = new Properties();
    properties.putAll(launch.autoRegisterProperties());
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (Writer writer =
        Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.WRITE)) {
      properties.store(writer, "Written for elastic agent " + launch.agentId());
    }
  }

  @Override
  public void disable(String agentId) {
    Path directory = directoryOf(agentId);
    if (Files.isDirectory(directory)) {
      try {
        Files.writeString(directory.resolve("disabled"), "disabled at " + Instant.now());
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot disable local agent " + agentId, e);
      }
    }
  }

  @Override
  public void terminate(String agentId) {
    Optional<ProcessHandle> process = processOf(agentId);
    process.ifPresent(this::stop);
    started.remove(agentId);
    launchLocks.remove(agentId);
  }

  private void stop(ProcessHandle process) {
    List<ProcessHandle> tree = Stream.concat(process.descendants(), Stream.of(process)).toList();
    tree.forEach(ProcessHandle::destroy);
    if (!awaitExit(process, settings.stopTimeout())) {
      tree.forEach(ProcessHandle::destroyForcibly);
      awaitExit(process, KILL_TIMEOUT);
    }
  }

  private static boolean awaitExit(ProcessHandle process, Duration timeout) {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void delete(String agentId) {
    Path directory = directoryOf(agentId);
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete local agent " + agentId, e);
    }
  }

  /**
   * None: the process runs before its launch is recorded, and cleanup reads the registry before
   * this list, so a launched agent missing from it has exited.
   */
  @Override
  public Duration listingDelay() {
    return Duration.ZERO;
  }

  @Override
  public Set<String> runningAgents() {
    if (!Files.isDirectory(workDirectory)) {
      return Set.of();
    }
    try (Stream<Path> directories = Files.list(workDirectory)) {
      return directories
          .map(directory -> directory.getFileName().toString())
          .filter(AgentId::isValid)
          .filter(agentId -> processOf(agentId).isPresent())
          .collect(Collectors.toUnmodifiableSet());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list local agents in " + workDirectory, e);
    }
  }

  /** Where an agent lives; refuses any id that could lead outside the work directory. */
  Path directoryOf(String agentId) {
    if (!AgentId.isValid(agentId)) {
      throw new IllegalArgumentException(
          "Not an elastic agent id: it may hold only letters, digits, '_' and '-'");
    }
    Path directory = workDirectory.resolve(agentId).normalize();
    if (!directory.getParent().equals(workDirectory)) {
      throw new IllegalArgumentException("Agent directory outside " + workDirectory);
    }
    return directory;
  }

  /** The agent's live process; the start time in the pid file guards against a reused pid. */
  Optional<ProcessHandle> processOf(String agentId) {
    Path pidFile = directoryOf(agentId).resolve(PID_FILE);
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      String[] fields = Files.readString(pidFile).strip().split(" ");
      long pid = Long.parseLong(fields[0]);
      long startedAt = Long.parseLong(fields[1]);
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(
              handle ->
                  handle.info().startInstant().map(Instant::toEpochMilli).orElse(0L) == startedAt);
    } catch (IOException | RuntimeException e) {
      log.warn("Cannot read the process of local agent {}: {}", agentId, e.toString());
      return Optional.empty();
    }
  }

  /**
   * Leaves the agents running for the next start to adopt, or, with {@code
   * stop-agents-on-shutdown}, stops the agents this service started.
   */
  @Override
  public void destroy() {
    Set<String> agents = Set.copyOf(started);
    if (agents.isEmpty()) {
      return;
    }
    if (settings.stopAgentsOnShutdown()) {
      log.info("Stopping {} local agent(s) started by this service", agents.size());
      agents.forEach(this::terminate);
    } else {
      log.info(
          "Leaving {} local agent(s) started by this service running in {}: the next start adopts"
              + " them",
          agents.size(),
          workDirectory);
    }
  }
}
