package dev.elasticagents.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.ElasticAgentWorkersApplication;
import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.AutoRegisterKey;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.RecordedDecision;
import dev.elasticagents.agent.ReleaseRequest;
import dev.elasticagents.agent.provider.local.LocalAgentProvider;
import dev.elasticagents.agent.provider.local.LocalProperties;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.MovableClock;
import dev.elasticagents.testing.RegistryDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two service instances, each an application context with its own local provider and work directory
 * (as on two hosts), sharing one PostgreSQL registry. Both run lifecycles and cleanups at once, and
 * each releases some of the other's agents: no agent of one is ever touched by the other, and every
 * termination is finished by the agent's owner.
 */
class TwoServiceInstancesTest {

  private static final int JOBS_PER_INSTANCE = 8;
  private static final int CLEANUPS_PER_INSTANCE = 12;
  private static final AtomicInteger JOB_IDS = new AtomicInteger(60_000);

  private final String database = RegistryDatabases.newPostgresUrl();
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
  private final ExecutorService threads = Executors.newFixedThreadPool(4);
  // Both instances' clock: cleanups move it on, so that agents are old enough to be judged.
  private final MovableClock clock =
      new MovableClock(java.time.Instant.parse("2026-11-23T10:00:00Z"));
  private Instance a;
  private Instance b;

  @BeforeEach
  void startTwoInstances() {
    a = new Instance(start("a"));
    b = new Instance(start("b"));
  }

  @AfterEach
  void stopInstances() {
    threads.shutdownNow();
    contexts.forEach(ConfigurableApplicationContext::close);
  }

  @Test
  void neitherInstanceTouchesTheOthersAgentsWhileBothRunLifecyclesAndCleanups() throws Exception {
    assertThat(a.provider.owner()).isNotEqualTo(b.provider.owner());
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<Played>>> work = new ArrayList<>();
    work.add(threads.submit(() -> play(a, b, go)));
    work.add(threads.submit(() -> play(b, a, go)));
    work.add(threads.submit(() -> cleanUp(a, go)));
    work.add(threads.submit(() -> cleanUp(b, go)));
    go.countDown();
    List<Played> played = new ArrayList<>();
    for (Future<List<Played>> done : work) {
      played.addAll(done.get(120, TimeUnit.SECONDS));
    }
    // The owners' cleanups finish the terminations the other instance claimed.
    clock.advance(java.time.Duration.ofSeconds(20));
    a.cleanup.cleanUp(List.of(), AgentServices.cleanupJob());
    b.cleanup.cleanUp(List.of(), AgentServices.cleanupJob());

    System.out.printf(
        "[two instances] %s%n",
        played.stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    Played::what, java.util.stream.Collectors.counting())));
    assertThat(played)
        .extracting(Played::what)
        .contains("kept", "still running", "released by the other instance");
    for (Played job : played) {
      Instance owner = job.owner();
      Instance other = owner == a ? b : a;
      Agent agent = owner.registry.find(job.agentId()).orElseThrow();
      assertThat(agent.owner()).isEqualTo(owner.provider.owner());
      assertThat(Files.exists(other.directory.resolve(job.agentId())))
          .as("the other's work directory")
          .isFalse();
      switch (job.what()) {
        case "still running" -> {
          assertThat(agent.state()).isEqualTo(AgentState.BUSY);
          assertThat(owner.provider.runningAgents()).contains(job.agentId());
        }
        case "kept" -> {
          assertThat(agent.state()).isEqualTo(AgentState.IDLE);
          assertThat(owner.provider.runningAgents()).contains(job.agentId());
        }
        default -> {
          assertThat(agent.state()).isEqualTo(AgentState.TERMINATED);
          assertThat(agent.claimedBy()).contains(owner.provider.owner());
          assertThat(owner.provider.runningAgents()).doesNotContain(job.agentId());
        }
      }
    }
  }

  /** What became of one job's agent. */
  private record Played(Instance owner, String agentId, String what) {}

  /**
   * Runs the lifecycles of one instance's jobs; every third job completes on the other instance.
   */
  private List<Played> play(Instance self, Instance other, CountDownLatch go)
      throws InterruptedException {
    go.await();
    List<Played> played = new ArrayList<>();
    for (int i = 0; i < JOBS_PER_INSTANCE; i++) {
      boolean reuse = i % 3 != 2;
      CreateAgentRequest request = request(reuse);
      RecordedDecision decision =
          self.lifecycle.createAgent(request, AgentServices.createAgentJob());
      String agentId =
          decision.agentId().orElseThrow(() -> new AssertionError("no agent: " + decision));
      self.registry.markRegistered(List.of(agentId));
      Optional<String> assignment = self.registry.find(agentId).orElseThrow().assignment();
      String what;
      if (i % 3 == 0) {
        what = "still running";
      } else {
        Instance completing = reuse ? self : other;
        completing.lifecycle.release(
            new ReleaseRequest(
                agentId,
                assignment,
                request.jobIdentifier().map(JobIdentifier::jobId),
                ReleaseRequest.Cause.JOB_COMPLETED),
            AgentServices.jobCompletionJob());
        what = reuse ? "kept" : "released by the other instance";
      }
      played.add(new Played(self, agentId, what));
    }
    return played;
  }

  private List<Played> cleanUp(Instance self, CountDownLatch go) throws InterruptedException {
    go.await();
    for (int i = 0; i < CLEANUPS_PER_INSTANCE; i++) {
      // Past the grace a provider has to list a new agent, short of any timeout.
      clock.advance(java.time.Duration.ofSeconds(20));
      self.cleanup.cleanUp(List.of(), AgentServices.cleanupJob());
    }
    return List.of();
  }

  /** Each job of a profile of its own, so that no job reuses another's agent. */
  private CreateAgentRequest request(boolean reuse) {
    int job = JOB_IDS.incrementAndGet();
    return new CreateAgentRequest(
        new AutoRegisterKey("secret-key"),
        "production",
        Map.of("image", "gocd-agent-" + job, "reuse_agents", String.valueOf(reuse)),
        Map.of("id", "shared-" + run),
        Optional.of(AgentServices.jobIdentifierOf(job)),
        0);
  }

  private ConfigurableApplicationContext start(String name) {
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(ElasticAgentWorkersApplication.class)
            .web(WebApplicationType.NONE)
            .initializers(
                initialized -> initialized.getBeanFactory().registerSingleton("clock", clock))
            .run(
                "--spring.datasource.url=" + database,
                "--spring.datasource.username=postgres",
                "--spring.datasource.password=",
                // The instances share the registry only: no workers, no models, no cluster.
                "--job-workers.enabled=false",
                "--deployment.enabled=false",
                "--camunda.client.grpc-address=http://127.0.0.1:9",
                "--camunda.client.rest-address=http://127.0.0.1:9",
                "--elastic-agents.cluster-defaults.max-running-agents=100",
                "--elastic-agents.cluster-defaults.max-pending-agents=100",
                "--elastic-agents.local.work-directory=target/two-instances/" + run + "/" + name,
                "--elastic-agents.local.stop-agents-on-shutdown=true");
    contexts.add(context);
    return context;
  }

  /** One service instance's beans. */
  private static final class Instance {
    final AgentRegistry registry;
    final AgentLifecycle lifecycle;
    final AgentCleanup cleanup;
    final LocalAgentProvider provider;
    final Path directory;

    Instance(ConfigurableApplicationContext context) {
      registry = context.getBean(AgentRegistry.class);
      lifecycle = context.getBean(AgentLifecycle.class);
      cleanup = context.getBean(AgentCleanup.class);
      provider = context.getBean(LocalAgentProvider.class);
      directory =
          context.getBean(LocalProperties.class).workDirectory().toAbsolutePath().normalize();
    }
  }
}
