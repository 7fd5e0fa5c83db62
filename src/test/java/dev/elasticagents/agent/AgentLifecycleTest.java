package dev.elasticagents.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.elasticagents.runtime.InvalidJobVariablesException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/** The lifecycle on real PostgreSQL, with a provider that records what it is asked to do. */
class AgentLifecycleTest {

  private static final AtomicInteger JOB_IDS = new AtomicInteger(5000);

  private final MovableClock clock = new MovableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final RecordingAgentProvider provider = new RecordingAgentProvider();
  // A database of its own per test: cleanup looks at every agent in the registry.
  private final DataSource database = RegistryDatabases.newPostgresDatabase();
  private final AgentRegistry registry =
      new AgentRegistry(JdbcClient.create(database), new DataSourceTransactionManager(database), clock);
  private final AgentLifecycle lifecycle =
      new AgentLifecycle(registry, provider, properties(), clock, new SimpleMeterRegistry());
  private final String cluster = "cluster-" + UUID.randomUUID();

  @Test
  void launchesANewAgentWithItsAutoRegisterSettings() {
    String agent = created(lifecycle.createAgent(request(Map.of())));

    AgentLaunch launch = provider.launched().get(agent);
    assertThat(launch.autoRegisterProperties())
        .containsExactly(
            Map.entry("agent.auto.register.key", "secret-key"),
            Map.entry("agent.auto.register.environments", "production"),
            Map.entry("agent.auto.register.elasticAgent.agentId", agent),
            Map.entry("agent.auto.register.elasticAgent.pluginId", "dev.elasticagents.zeebe"),
            Map.entry("agent.auto.register.hostname", agent));
    assertThat(launch.toString()).doesNotContain("secret-key");
  }

  @Test
  void keepsAReusableAgentIdleAfterItsJob() {
    String agent = created(lifecycle.createAgent(request(Map.of())));

    AgentLifecycle.JobCompletion completion = lifecycle.jobCompleted(agent);

    assertThat(completion.decision()).isEqualTo(AgentLifecycle.JobCompletion.Decision.KEPT);
    assertThat(registry.find(agent)).get().extracting(Agent::state).isEqualTo(AgentState.IDLE);
    assertThat(provider.calls()).doesNotContain("terminate " + agent);
  }

  @Test
  void terminatesAnAgentWhoseProfileDoesNotReuseAgentsInOrder() {
    String agent = created(lifecycle.createAgent(request(Map.of("reuse_agents", "false"))));

    AgentLifecycle.JobCompletion completion = lifecycle.jobCompleted(agent);

    assertThat(completion.decision()).isEqualTo(AgentLifecycle.JobCompletion.Decision.TERMINATED);
    assertThat(provider.calls())
        .containsSubsequence("disable " + agent, "terminate " + agent, "delete " + agent);
    assertThat(registry.find(agent)).get().extracting(Agent::state).isEqualTo(AgentState.TERMINATED);
  }

  @Test
  void skipsAnUnknownAgentWithAReason() {
    AgentLifecycle.JobCompletion completion = lifecycle.jobCompleted("GoCDdoesnotexist");

    assertThat(completion.decision()).isEqualTo(AgentLifecycle.JobCompletion.Decision.SKIPPED);
    assertThat(completion.reason()).isEqualTo("unknown agent");
    assertThat(provider.calls()).isEmpty();
  }

  @Test
  void cleanupTerminatesAnAgentThatNeverRegisteredInTime() {
    String agent = created(lifecycle.createAgent(request(Map.of())));

    clock.advance(Duration.ofMinutes(9));
    assertThat(lifecycle.cleanUp(List.of())).noneMatch(c -> c.agentId().equals(agent));
    clock.advance(Duration.ofMinutes(2));
    List<AgentLifecycle.Cleanup> cleaned = lifecycle.cleanUp(List.of());

    assertThat(cleaned).contains(new AgentLifecycle.Cleanup(agent, "never registered within PT10M"));
    assertThat(provider.calls()).containsSubsequence("disable " + agent, "terminate " + agent, "delete " + agent);
  }

  @Test
  void cleanupSparesAnAgentTheGoCdServerKnows() {
    String agent = created(lifecycle.createAgent(request(Map.of())));

    clock.advance(Duration.ofMinutes(11));
    List<AgentLifecycle.Cleanup> cleaned = lifecycle.cleanUp(List.of(agent));

    assertThat(cleaned).noneMatch(c -> c.agentId().equals(agent));
    assertThat(registry.find(agent)).get().extracting(Agent::state).isEqualTo(AgentState.BUSY);
  }

  @Test
  void cleanupTerminatesAnAgentIdlePastItsIdleTimeout() {
    String agent = created(lifecycle.createAgent(request(Map.of())));
    lifecycle.jobCompleted(agent);

    clock.advance(Duration.ofMinutes(11));
    List<AgentLifecycle.Cleanup> cleaned = lifecycle.cleanUp(List.of());

    assertThat(cleaned).contains(new AgentLifecycle.Cleanup(agent, "idle longer than PT10M"));
  }

  @Test
  void cleanupTerminatesAgentsThatTheRegistryDoesNotKnow() {
    provider.leak("GoCDleaked");

    List<AgentLifecycle.Cleanup> cleaned = lifecycle.cleanUp(List.of());

    assertThat(cleaned).contains(new AgentLifecycle.Cleanup("GoCDleaked", "not a live agent of the registry"));
    assertThat(provider.calls()).containsSubsequence("disable GoCDleaked", "terminate GoCDleaked", "delete GoCDleaked");
  }

  @Test
  void cleanupForgetsAgentsWhoseProcessIsGone() {
    String agent = created(lifecycle.createAgent(request(Map.of())));
    lifecycle.cleanUp(List.of(agent));
    provider.terminate(agent);

    clock.advance(Duration.ofMinutes(2));
    List<AgentLifecycle.Cleanup> cleaned = lifecycle.cleanUp(List.of());

    assertThat(cleaned).contains(new AgentLifecycle.Cleanup(agent, "agent is no longer running"));
    assertThat(registry.find(agent)).get().extracting(Agent::state).isEqualTo(AgentState.TERMINATED);
  }

  @Test
  void rejectsProfilesThatCouldInjectIntoTheAgentsEnvironment() {
    CreateAgentRequest request =
        new CreateAgentRequest(
            new AutoRegisterKey("k"), "prod; rm -rf /", Map.of("image", "x\nagent.auto.register.key=stolen"), Map.of(), Optional.empty(), false);

    assertThatThrownBy(() -> lifecycle.createAgent(request))
        .isInstanceOfSatisfying(
            InvalidJobVariablesException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "'environment' may hold only letters, digits, '.', '_' and '-'",
                        "agent profile property 'image' must not hold control characters"));
    assertThat(provider.launched()).isEmpty();
  }

  private CreateAgentRequest request(Map<String, String> profile) {
    Map<String, String> properties = new HashMap<>(profile);
    properties.putIfAbsent("image", "gocd-agent");
    int job = JOB_IDS.incrementAndGet();
    return new CreateAgentRequest(
        new AutoRegisterKey("secret-key"),
        "production",
        properties,
        Map.of("id", cluster),
        Optional.of(new JobIdentifier(job, "build", job, "label", "pipeline", 1, "stage")),
        false);
  }

  private static String created(AgentDecision decision) {
    assertThat(decision).isInstanceOf(AgentDecision.Created.class);
    return ((AgentDecision.Created) decision).agentId();
  }

  private static AgentProperties properties() {
    return new AgentProperties(
        "dev.elasticagents.zeebe",
        new AgentProperties.ClusterDefaults(10, 10, Duration.ofMinutes(10), Duration.ofMinutes(10)),
        true,
        Duration.ofSeconds(30),
        "recording",
        new AgentProperties.Local(Path.of("unused"), List.of("true"), Duration.ofSeconds(1)));
  }

  /** A clock the test moves forward. */
  static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
