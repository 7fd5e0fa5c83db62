package dev.elasticagents.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.zaxxer.hikari.HikariDataSource;
import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.engine.EmbeddedEngine;
import dev.elasticagents.testing.GoCdServer;
import dev.elasticagents.testing.RegistryDatabases;
import dev.elasticagents.testing.RestRecorder;
import io.camunda.client.CamundaClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * One fault run: an embedded engine of its own in the test JVM ({@link EmbeddedEngine}, whose
 * records the run reads, {@link EngineRecords}), a recording and holding proxy in front of its REST
 * API, a PostgreSQL database of its own, the service as a child JVM (activating jobs on the
 * engine's gateway, sending outcomes through the proxy) that may be started again on the same
 * database, instance id and work directory, and GoCD jobs flowing through it. The test reads the
 * registry on the same database and talks to the engine as GoCD does. Throughout the run, GoCD's
 * side brings two faults of its own on jobs drawn before it ({@link GoCdLoad.Faults}): the first
 * agent of some jobs is killed before GoCD registers it, and the job-completion of others is lost.
 * Closing the run stops everything and kills every agent it left.
 */
final class FaultRun implements AutoCloseable {

  private static final int JOBS = 30;
  private static final int IN_FLIGHT = 5;
  // Jobs whose first agent GoCD's side kills before registering, and as many whose job-completion
  // it loses: drawn before the run from this seed and the run's name (-Dfaults.seed=N draws
  // others).
  private static final int FAULTED_JOBS_EACH = 4;
  private static final long FAULT_SEED = Long.getLong("faults.seed", 20261204L);
  // The client compiler only: start-ups are a large part of the service's short life here, and
  // C2 compiling through them doubles their CPU time on a small machine.
  private static final List<String> SERVICE_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1");
  private static final Pattern COMPLETION = Pattern.compile("/v2/jobs/\\d+/completion");
  private static final Pattern ASSIGNS_AN_AGENT =
      Pattern.compile("\"agent_decision\"\\s*:\\s*\"(CREATED|REUSED)\"");
  private static final Pattern AGENT =
      Pattern.compile("\"elastic_agent_id\"\\s*:\\s*\"([A-Za-z0-9_-]+)\"");

  final String name;
  final Path directory;
  final LocalAgents agents;
  final EmbeddedEngine engine;
  final RestRecorder proxy;
  final CamundaClient client;
  final AgentRegistry registry;
  final JdbcClient jdbc;
  final GoCdLoad load;
  final Instant began = Instant.now();
  private final HikariDataSource database;
  private final Map<String, String> properties = new HashMap<>();
  private ServiceProcess service;
  private int starts;

  FaultRun(String name) throws IOException {
    this.name = name;
    this.directory = Path.of("target/fault-runs", name).toAbsolutePath();
    this.agents = new LocalAgents(directory.resolve("agents")).clearedWith(directory);
    this.engine = EmbeddedEngine.start();
    try {
      this.proxy = RestRecorder.proxying(engine.restAddress());
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
    this.client =
        CamundaClient.newClientBuilder()
            .grpcAddress(engine.grpcAddress())
            .restAddress(engine.restAddress())
            .preferRestOverGrpc(false)
            .build();
    String url = RegistryDatabases.newPostgresUrl();
    this.database = new HikariDataSource();
    database.setJdbcUrl(url);
    database.setUsername("postgres");
    database.setMaximumPoolSize(4);
    this.jdbc = JdbcClient.create(database);
    this.registry =
        new AgentRegistry(
            jdbc,
            new DataSourceTransactionManager(database),
            Clock.systemUTC(),
            new SimpleMeterRegistry(),
            new ObjectMapper());
    this.load =
        new GoCdLoad(
            new GoCdServer(client),
            registry,
            agents,
            JOBS,
            IN_FLIGHT,
            GoCdLoad.Faults.chosen(FAULT_SEED ^ name.hashCode(), JOBS, FAULTED_JOBS_EACH));
    properties.putAll(
        Map.ofEntries(
            Map.entry("camunda.client.grpc-address", engine.grpcAddress().toString()),
            Map.entry(
                "camunda.client.rest-address", "http://127.0.0.1:" + proxy.address().getPort()),
            Map.entry("spring.datasource.url", url),
            Map.entry("spring.datasource.username", "postgres"),
            Map.entry("elastic-agents.instance-id", "fault-run-" + name),
            Map.entry("elastic-agents.decline-retry-after", "PT1S"),
            Map.entry("elastic-agents.decline-retries", "5"),
            // Jobs the killed service held come back fast.
            Map.entry("job-workers.timeout", "PT5S"),
            Map.entry("job-workers.job-types.create-agent.problem-policy.retry.max-attempts", "2"),
            Map.entry(
                "job-workers.job-types.create-agent.problem-policy.retry.initial-backoff",
                "PT0.05S"),
            Map.entry(
                "job-workers.job-types.create-agent.problem-policy.retry.redelivery-backoff",
                "PT0.5S"),
            Map.entry(
                "job-workers.job-types.job-completion.problem-policy.retry.max-attempts", "2"),
            Map.entry(
                "job-workers.job-types.job-completion.problem-policy.retry.initial-backoff",
                "PT0.05S"),
            Map.entry(
                "job-workers.job-types.job-completion.problem-policy.retry.redelivery-backoff",
                "PT1S"),
            // A job-completion GoCD's side lost is repaired from two server-pings this far apart,
            // within the run rather than after two minutes.
            Map.entry("elastic-agents.completion-repair-grace", "PT2S"),
            // Every outcome the service got a 204 for is in its log.
            Map.entry("logging.level.dev.elasticagents.runtime.OutcomeSender", "DEBUG")));
  }

  /** Sets a property of the service's next starts. */
  void configure(String key, String value) {
    properties.put(key, value);
  }

  /** How often the service was started. */
  int starts() {
    return starts;
  }

  /** Starts the service, the first time or again on the same database and work directory. */
  ServiceProcess startService() {
    starts++;
    service =
        ServiceProcess.start(
            SERVICE_JVM_OPTIONS,
            properties,
            agents.directory(),
            directory.resolve("service-" + starts + ".log"));
    return service;
  }

  /** What every start of the service logged. */
  String serviceLogs() throws IOException {
    StringBuilder logs = new StringBuilder();
    for (int start = 1; start <= starts; start++) {
      logs.append(Files.readString(directory.resolve("service-" + start + ".log")));
    }
    return logs.toString();
  }

  /**
   * Agents the registry holds unclaimed (pending, busy or idle) that GoCD's side did not kill: no
   * termination has touched their process, so it must run.
   */
  Set<String> unclaimedAgents() {
    Set<String> killed = load.killedAgentIds();
    return registry.live().stream()
        .filter(agent -> agent.state() != AgentState.TERMINATING)
        .map(Agent::id)
        .filter(agent -> !killed.contains(agent))
        .collect(Collectors.toSet());
  }

  /** Those of these agents (with their pids) that the registry holds unclaimed. */
  Map<String, Long> unclaimed(Map<String, Long> agents) {
    Set<String> unclaimed = unclaimedAgents();
    return agents.entrySet().stream()
        .filter(agent -> unclaimed.contains(agent.getKey()))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  /** Completions of create-agent jobs that gave a GoCD job an agent (created or reused). */
  static RestRecorder.CompletionRule agentAssignments() {
    return (jobKey, body) -> ASSIGNS_AN_AGENT.matcher(body).find();
  }

  /**
   * Completions of create-agent jobs that gave an agent to a GoCD job whose build is held on, and
   * whose first agent GoCD's side does not kill.
   */
  RestRecorder.CompletionRule agentsForHeldBuilds() {
    return (jobKey, body) ->
        agentAssignments().lose(jobKey, body)
            && registry
                .find(agentIn(body))
                .flatMap(Agent::jobKey)
                .map(Long::parseLong)
                .filter(load::buildHeld)
                .filter(job -> !load.killsFirstAgentOf(job))
                .isPresent();
  }

  /** The agent a create-agent completion names. */
  static String agentIn(String body) {
    Matcher agent = AGENT.matcher(body);
    if (!agent.find()) {
      throw new AssertionError("No elastic_agent_id in " + body);
    }
    return agent.group(1);
  }

  /** What the engine recorded so far. */
  EngineRecords records() {
    return EngineRecords.read(engine);
  }

  /**
   * The request body of a completion of this job the engine accepted (through the proxy) after
   * {@code since}.
   */
  Optional<String> acceptedCompletion(long jobKey, Instant since) {
    return completionsAcceptedAfter(since).stream()
        .filter(event -> event.getRequest().getUrl().equals("/v2/jobs/" + jobKey + "/completion"))
        .map(event -> event.getRequest().getBodyAsString())
        .findFirst();
  }

  /**
   * Job completions the engine accepted (through the proxy) whose request arrived after {@code
   * since}.
   */
  List<ServeEvent> completionsAcceptedAfter(Instant since) {
    return proxy.exchanges(
        event ->
            event.getResponse().getStatus() == 204
                && COMPLETION.matcher(event.getRequest().getUrl()).matches()
                && event.getRequest().getLoggedDate().toInstant().isAfter(since));
  }

  /**
   * From {@code fault} to the first completion the engine accepted after {@code since}: when what
   * was killed is dead, or the cluster unreachable, so that a completion accepted just before the
   * fault does not count.
   */
  Duration firstCompletion(Instant fault, Instant since) {
    return completionsAcceptedAfter(since).stream()
        .map(event -> event.getRequest().getLoggedDate().toInstant())
        .min(Instant::compareTo)
        .map(first -> Duration.between(fault, first))
        .orElseThrow(() -> new AssertionError("No completion was accepted after " + since));
  }

  @Override
  public void close() throws Exception {
    try (database;
        client;
        proxy;
        engine) {
      load.close();
      if (service != null) {
        stopService();
      }
      agents.killAll();
    }
  }

  private void stopService() {
    if (service.isAlive()) {
      service.terminate();
      try {
        service.awaitExit(Duration.ofSeconds(40));
      } catch (IllegalStateException e) {
        service.kill();
      }
    }
    service.close();
  }
}
