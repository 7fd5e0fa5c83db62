package dev.elasticagents.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentId;
import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.agent.AgentProperties;
import dev.elasticagents.agent.AgentProvider;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.AutoRegisterKey;
import dev.elasticagents.agent.CapacityCeilings;
import dev.elasticagents.agent.ClusterProfile;
import dev.elasticagents.agent.ClusterProfileIds;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.DecisionKey;
import dev.elasticagents.agent.DecisionOutcome;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.RecordedDecision;
import dev.elasticagents.agent.ReleaseRequest;
import dev.elasticagents.agent.Termination;
import dev.elasticagents.agent.TerminationKind;
import dev.elasticagents.agent.WorkOffer;
import dev.elasticagents.agent.lifecycle.AgentCleanup;
import dev.elasticagents.agent.lifecycle.AgentLifecycle;
import dev.elasticagents.agent.lifecycle.AgentReconciliation;
import dev.elasticagents.agent.lifecycle.AgentTerminator;
import dev.elasticagents.agent.lifecycle.ClusterProfiles;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.agent.registry.Demand;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The agent domain of one service instance, wired by hand on a registry database: what the
 * application context builds, without Zeebe.
 */
public final class AgentServices {

  private static final AtomicLong ELEMENT_INSTANCES = new AtomicLong(2251799813685248L);

  public final AgentRegistry registry;
  public final AgentProvider provider;
  public final AgentTerminator terminator;
  public final AgentLifecycle lifecycle;
  public final AgentCleanup cleanup;
  public final AgentReconciliation reconciliation;
  public final ClusterProfiles clusterProfiles;
  public final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  /** The agent domain with the capacity ceilings and cluster profile bounds of the defaults. */
  public AgentServices(
      DataSource database, AgentProvider provider, Clock clock, AgentProperties properties) {
    this(database, provider, clock, properties, Map.of());
  }

  /**
   * The agent domain with the {@code elastic-agents.capacity-ceilings.*} and {@code
   * elastic-agents.cluster-profiles.*} of {@code limits}, bound as the application binds them.
   */
  public AgentServices(
      DataSource database,
      AgentProvider provider,
      Clock clock,
      AgentProperties properties,
      Map<String, String> limits) {
    this.registry =
        new AgentRegistry(
            JdbcClient.create(database),
            new DataSourceTransactionManager(database),
            clock,
            meters,
            new ObjectMapper());
    this.provider = provider;
    this.terminator = new AgentTerminator(registry, provider, meters);
    Binder binder = new Binder(new MapConfigurationPropertySource(limits));
    this.clusterProfiles =
        new ClusterProfiles(
            properties,
            binder.bindOrCreate("elastic-agents.capacity-ceilings", CapacityCeilings.class),
            binder.bindOrCreate("elastic-agents.cluster-profiles", ClusterProfileIds.class),
            registry);
    this.lifecycle =
        new AgentLifecycle(registry, provider, terminator, properties, meters, clusterProfiles);
    this.cleanup =
        new AgentCleanup(registry, provider, terminator, lifecycle, properties, clock, meters);
    this.reconciliation = new AgentReconciliation(registry, provider, terminator, meters, clock);
  }

  /** A registry on {@code database} whose clock stands still, without the rest of the domain. */
  public static AgentRegistry registryOn(DataSource database) {
    return new AgentRegistry(
        JdbcClient.create(database),
        new DataSourceTransactionManager(database),
        Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC),
        new SimpleMeterRegistry(),
        new ObjectMapper());
  }

  /** The properties of the tests: generous limits unless a request's cluster profile says less. */
  public static AgentProperties properties(int maxRunning, int maxPending) {
    return new AgentProperties(
        "dev.elasticagents.zeebe",
        new AgentProperties.ClusterDefaults(
            maxRunning,
            maxPending,
            Duration.ofMinutes(10),
            Duration.ofMinutes(10),
            Duration.ofHours(2)),
        true,
        Duration.ofSeconds(30),
        3,
        Duration.ofMinutes(5),
        Duration.ofDays(30),
        "",
        Duration.ofMinutes(2),
        Duration.ofHours(1),
        Duration.ofSeconds(1),
        "recording");
  }

  /**
   * A v5 create-agent request for GoCD job {@code job} of cluster profile {@code cluster}, with
   * {@code profile} as its elastic profile (an image only when empty).
   */
  public static CreateAgentRequest request(String cluster, int job, Map<String, String> profile) {
    return new CreateAgentRequest(
        new AutoRegisterKey("secret-key"),
        "production",
        profile.isEmpty() ? Map.of("image", "gocd-agent") : profile,
        Map.of("id", cluster),
        Optional.of(jobIdentifierOf(job)),
        0);
  }

  /** A run of GoCD job {@code job} of pipeline {@code pipeline}. */
  public static JobIdentifier jobIdentifierOf(int job) {
    return new JobIdentifier(job, "build", job, "label", "pipeline", 1, "stage");
  }

  /**
   * GoCD's should-assign-work for this agent and the job of {@code job}, with the job's profiles.
   */
  public static WorkOffer offer(String agentId, CreateAgentRequest job) {
    return new WorkOffer(
        agentId,
        job.jobIdentifier().orElseThrow(),
        job.environment(),
        job.profileProperties(),
        job.clusterProfileProperties());
  }

  /** A new create-agent job, as Zeebe would activate it for a new element instance. */
  public static DecisionKey createAgentJob() {
    return new DecisionKey("create-agent", ELEMENT_INSTANCES.incrementAndGet());
  }

  /** A new job-completion job. */
  public static DecisionKey jobCompletionJob() {
    return new DecisionKey("job-completion", ELEMENT_INSTANCES.incrementAndGet());
  }

  /** A new terminate-agent job. */
  public static DecisionKey terminateAgentJob() {
    return new DecisionKey("terminate-agent", ELEMENT_INSTANCES.incrementAndGet());
  }

  /** A new cleanup job. */
  public static DecisionKey cleanupJob() {
    return new DecisionKey("cleanup-agents", ELEMENT_INSTANCES.incrementAndGet());
  }

  /** The request as the registry decides it for {@code job}, without launching anything. */
  public Demand demand(CreateAgentRequest request, DecisionKey job) {
    AgentProperties properties = properties(10, 10);
    return new Demand(
        job,
        request.jobIdentifier(),
        ClusterProfile.from(request.clusterProfileProperties(), properties.clusterDefaults()),
        AgentProfile.from(request.environment(), request.profileProperties(), true),
        provider.owner(),
        0,
        Duration.ofSeconds(30),
        3,
        AgentId::next);
  }

  /** Creates an agent for the request, failing the test unless one was created. */
  public String created(CreateAgentRequest request) {
    RecordedDecision decision = lifecycle.createAgent(request, createAgentJob());
    if (decision.outcome() != DecisionOutcome.CREATED) {
      throw new AssertionError("expected CREATED but was " + decision);
    }
    return decision.agentId().orElseThrow();
  }

  /** Releases the agent of a finished job, as its lifecycle's job-completion would. */
  public RecordedDecision jobCompleted(String agentId, CreateAgentRequest request) {
    Agent agent = registry.find(agentId).orElseThrow();
    return lifecycle.release(
        new ReleaseRequest(
            agentId,
            agent.assignment(),
            request.jobIdentifier().map(JobIdentifier::jobId),
            ReleaseRequest.Cause.JOB_COMPLETED),
        jobCompletionJob());
  }

  /** Creates an agent for the request whose termination another instance has claimed. */
  public String terminatingElsewhere(CreateAgentRequest request) {
    String agentId = created(request);
    registry.claimTermination(
        agent(agentId), "someone-else", new Termination(TerminationKind.OTHER, "test"));
    return agentId;
  }

  /** Creates an agent for the request and terminates it. */
  public String terminated(CreateAgentRequest request) {
    String agentId = created(request);
    terminator.terminate(agent(agentId), new Termination(TerminationKind.OTHER, "test"));
    return agentId;
  }

  public Agent agent(String agentId) {
    return registry.find(agentId).orElseThrow();
  }

  public AgentState state(String agentId) {
    return agent(agentId).state();
  }
}
