package dev.elasticagents.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.elasticagents.agent.AutoRegisterKey;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.DecisionOutcome;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.RecordedDecision;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.RecordingAgentProvider;
import dev.elasticagents.testing.RegistryDatabases;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Many create-agent requests, for the same and for different GoCD jobs, from several threads and
 * two service instances (each with its own connection pool) sharing one PostgreSQL database.
 */
class AgentLifecycleConcurrencyTest {

  private static final int THREADS = 8;
  private static final int JOBS = 60;
  private static final int COPIES_PER_JOB = 4;
  private static final int MAX_RUNNING = 12;
  private static final List<String> CLUSTERS = List.of("cluster-a", "cluster-b");

  private final List<HikariDataSource> pools = new ArrayList<>();

  @AfterEach
  void closePools() {
    pools.forEach(HikariDataSource::close);
  }

  @Test
  void neverGivesAJobTwoAgentsNorExceedsCapacityAcrossInstances() throws Exception {
    DataSource database = RegistryDatabases.newPostgresDatabase();
    RecordingAgentProvider provider = new RecordingAgentProvider();
    List<AgentServices> instances =
        List.of(instance(database, provider), instance(database, provider));
    List<CreateAgentRequest> requests = shuffledRequests(1, COPIES_PER_JOB, 42);

    List<Sent> sent = sendConcurrently(instances, requests);

    Map<Long, Set<String>> agentsByJob =
        sent.stream()
            .filter(s -> s.decision().agentId().isPresent())
            .collect(
                Collectors.groupingBy(
                    Sent::jobId,
                    Collectors.mapping(
                        s -> s.decision().agentId().orElseThrow(), Collectors.toSet())));
    Map<DecisionOutcome, Long> decisions = decisions(sent);
    AgentRegistry registry = AgentServices.registryOn(database);
    System.out.printf(
        "[concurrency] %d requests (%d jobs x %d copies), %d threads, %d instances: decisions %s,"
            + " %d agents launched%n",
        requests.size(),
        JOBS,
        COPIES_PER_JOB,
        THREADS,
        instances.size(),
        decisions,
        provider.launched().size());
    assertThat(agentsByJob.values()).allSatisfy(agents -> assertThat(agents).hasSize(1));
    assertThat(provider.launched()).hasSize(agentsByJob.size());
    for (String cluster : CLUSTERS) {
      assertThat(registry.runningAgents(cluster)).isLessThanOrEqualTo(MAX_RUNNING);
    }
    assertThat(provider.launched().size()).isEqualTo(MAX_RUNNING * CLUSTERS.size());
    assertThat(decisions)
        .containsKeys(
            DecisionOutcome.CREATED, DecisionOutcome.ALREADY_CREATED, DecisionOutcome.DECLINED);
  }

  @Test
  void neverGivesOneIdleAgentToTwoJobs() throws Exception {
    DataSource database = RegistryDatabases.newPostgresDatabase();
    RecordingAgentProvider provider = new RecordingAgentProvider();
    List<AgentServices> instances =
        List.of(instance(database, provider), instance(database, provider));
    List<String> idle = new ArrayList<>();
    for (int job = 1; job <= 6; job++) {
      CreateAgentRequest request = request(job);
      String agent = instances.getFirst().created(request);
      instances.getFirst().jobCompleted(agent, request);
      idle.add(agent);
    }
    List<CreateAgentRequest> requests = shuffledRequests(101, 2, 7);

    List<Sent> sent = sendConcurrently(instances, requests);

    Map<String, Set<Long>> jobsByAgent =
        sent.stream()
            .filter(s -> s.decision().agentId().isPresent())
            .collect(
                Collectors.groupingBy(
                    s -> s.decision().agentId().orElseThrow(),
                    Collectors.mapping(Sent::jobId, Collectors.toSet())));
    Map<DecisionOutcome, Long> decisions = decisions(sent);
    System.out.printf(
        "[concurrency] %d idle agents, %d requests (%d jobs x 2 copies), %d threads, %d instances:"
            + " decisions %s%n",
        idle.size(), requests.size(), JOBS, THREADS, instances.size(), decisions);
    assertThat(jobsByAgent.values()).allSatisfy(jobs -> assertThat(jobs).hasSize(1));
    assertThat(decisions.get(DecisionOutcome.REUSED)).isEqualTo(idle.size());
    AgentRegistry registry = AgentServices.registryOn(database);
    for (String cluster : CLUSTERS) {
      assertThat(registry.runningAgents(cluster)).isLessThanOrEqualTo(MAX_RUNNING);
    }
  }

  /** One request and what an instance decided for it. */
  private record Sent(CreateAgentRequest request, RecordedDecision decision) {
    long jobId() {
      return request.jobIdentifier().orElseThrow().jobId();
    }
  }

  /**
   * {@link #JOBS} jobs from {@code firstJob} on, each asked {@code copies} times, in a fixed
   * shuffle.
   */
  private static List<CreateAgentRequest> shuffledRequests(int firstJob, int copies, long seed) {
    List<CreateAgentRequest> requests = new ArrayList<>();
    for (int job = firstJob; job < firstJob + JOBS; job++) {
      for (int copy = 0; copy < copies; copy++) {
        requests.add(request(job));
      }
    }
    Collections.shuffle(requests, new java.util.Random(seed));
    return requests;
  }

  /** Sends the requests from {@link #THREADS} threads, alternating between the instances. */
  private static List<Sent> sendConcurrently(
      List<AgentServices> instances, List<CreateAgentRequest> requests) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<Sent>> work = new ArrayList<>();
      for (int i = 0; i < requests.size(); i++) {
        AgentServices instance = instances.get(i % instances.size());
        CreateAgentRequest request = requests.get(i);
        work.add(
            threads.submit(
                () ->
                    new Sent(
                        request,
                        instance.lifecycle.createAgent(request, AgentServices.createAgentJob()))));
      }
      List<Sent> sent = new ArrayList<>();
      for (Future<Sent> done : work) {
        sent.add(done.get(60, TimeUnit.SECONDS));
      }
      return sent;
    } finally {
      threads.shutdownNow();
    }
  }

  private static Map<DecisionOutcome, Long> decisions(List<Sent> sent) {
    return sent.stream()
        .collect(
            Collectors.groupingBy(s -> s.decision().createAgentOutcome(), Collectors.counting()));
  }

  private AgentServices instance(DataSource database, RecordingAgentProvider provider) {
    HikariDataSource pool = new HikariDataSource();
    pool.setDataSource(database);
    pool.setMaximumPoolSize(THREADS);
    pools.add(pool);
    return new AgentServices(
        pool, provider, Clock.systemUTC(), AgentServices.properties(MAX_RUNNING, 100));
  }

  private static CreateAgentRequest request(int job) {
    Map<String, String> cluster = new HashMap<>();
    cluster.put("id", CLUSTERS.get(job % CLUSTERS.size()));
    return new CreateAgentRequest(
        new AutoRegisterKey("key-" + job),
        "production",
        Map.of("image", "image-" + (job % 3)),
        cluster,
        Optional.of(new JobIdentifier(job, "build", job, "label", "pipeline", 1, "stage")),
        0);
  }
}
