package dev.elasticagents.agent.lifecycle;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentId;
import dev.elasticagents.agent.AgentLaunch;
import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.agent.AgentProperties;
import dev.elasticagents.agent.AgentProvider;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.ClusterProfile;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.DecisionKey;
import dev.elasticagents.agent.DecisionOutcome;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.RecordedDecision;
import dev.elasticagents.agent.ReleaseRequest;
import dev.elasticagents.agent.Termination;
import dev.elasticagents.agent.TerminationKind;
import dev.elasticagents.agent.WorkOffer;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.agent.registry.Demand;
import dev.elasticagents.runtime.InvalidJobVariablesException;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.util.ConcurrentLruCache;

/**
 * The lifecycle of elastic agents: decide and launch on create-agent, keep or terminate when a job
 * completes or overruns. Every decision is recorded under the Zeebe job that asked, with its
 * effect, so a redelivered job replays it. Safe to call from many threads and from several service
 * instances sharing one registry.
 */
@Service
public class AgentLifecycle {

  private static final Logger log = LoggerFactory.getLogger(AgentLifecycle.class);
  private static final int MAX_ATTEMPTS = 3;

  /** The decision type of a release that GoCD's job-completion made without a lifecycle. */
  static final String UNADOPTED_RELEASE = "gocd-job-completion";

  private final AgentRegistry registry;
  private final AgentProvider provider;
  private final AgentTerminator terminator;
  private final AgentProperties properties;
  private final MeterRegistry meters;
  private final ClusterProfiles clusterProfiles;
  // GoCD sends an elastic agent profile's properties unchanged with every request of its jobs:
  // each is read and checked by the provider once, not once per job. One that fails its checks is
  // never kept.
  private final ConcurrentLruCache<RequestedProfile, AgentProfile> launchableProfiles;

  /** An agent profile as a request names it. */
  private record RequestedProfile(String environment, Map<String, String> properties) {}

  public AgentLifecycle(
      AgentRegistry registry,
      AgentProvider provider,
      AgentTerminator terminator,
      AgentProperties properties,
      MeterRegistry meters,
      ClusterProfiles clusterProfiles) {
    this.registry = registry;
    this.provider = provider;
    this.terminator = terminator;
    this.properties = properties;
    this.meters = meters;
    this.clusterProfiles = clusterProfiles;
    this.launchableProfiles =
        new ConcurrentLruCache<>(ClusterProfiles.PROPERTY_SETS_KEPT, this::launchable);
  }

  /** Decides on an agent for a create-agent request and launches it when a new one is needed. */
  public RecordedDecision createAgent(CreateAgentRequest request, DecisionKey key) {
    ClusterProfile cluster = clusterProfiles.tracked(request.clusterProfileProperties());
    AgentProfile profile = launchable(request);
    RecordedDecision decision =
        registry.decide(
            new Demand(
                key,
                request.jobIdentifier(),
                cluster,
                profile,
                provider.owner(),
                request.declines(),
                properties.declineRetryAfter(),
                properties.declineRetries(),
                AgentId::next));
    if (decision.outcome() == DecisionOutcome.CREATED) {
      ensureLaunched(decision, request, profile, cluster);
    }
    report(decision, request, cluster);
    return decision;
  }

  /**
   * Checks a create-agent request by the rules its job applies, so that a request the job would
   * refuse is refused before anything starts.
   *
   * @throws dev.elasticagents.runtime.InvalidJobVariablesException listing every problem found
   */
  public void check(CreateAgentRequest request) {
    clusterProfiles.check(request.clusterProfileProperties());
    launchable(request);
  }

  /** The request's agent profile, if it is valid and the provider can launch agents of it. */
  private AgentProfile launchable(CreateAgentRequest request) {
    return launchableProfiles.get(
        new RequestedProfile(request.environment(), request.profileProperties()));
  }

  private AgentProfile launchable(RequestedProfile requested) {
    AgentProfile profile =
        AgentProfile.from(
            requested.environment(), requested.properties(), properties.reuseAgents());
    List<String> problems = provider.problemsWith(profile);
    if (!problems.isEmpty()) {
      throw new InvalidJobVariablesException(problems);
    }
    return profile;
  }

  /**
   * GoCD's should-assign-work, answered from the registry (see {@link AgentRegistry#assignWork}).
   */
  public boolean shouldAssignWork(WorkOffer offer) {
    ClusterProfile cluster = clusterProfiles.effective(offer.clusterProfileProperties());
    AgentProfile profile =
        AgentProfile.from(offer.environment(), offer.profileProperties(), properties.reuseAgents());
    boolean assigned = registry.assignWork(offer.agentId(), offer.job(), cluster, profile);
    log.debug("should-assign-work {} for {}: {}", offer.agentId(), offer.job().locator(), assigned);
    return assigned;
  }

  /**
   * Releases an agent whose job GoCD reports completed while the agent still carries the job
   * should-assign-work gave it, adopted by no lifecycle: nobody else would release it. Recorded
   * under the GoCD job, so a re-sent job-completion replays it. Empty when a lifecycle has the
   * agent: its job-completed message releases it.
   */
  public Optional<RecordedDecision> releaseUnadopted(String agentId, long jobId) {
    String assignment = AgentRegistry.ASSIGNED_BY_GOCD + jobId;
    DecisionKey key = new DecisionKey(UNADOPTED_RELEASE, jobId);
    if (registry.find(agentId).flatMap(Agent::assignment).filter(assignment::equals).isPresent()) {
      return Optional.of(
          release(
              new ReleaseRequest(
                  agentId,
                  Optional.of(assignment),
                  Optional.of(jobId),
                  ReleaseRequest.Cause.JOB_COMPLETED),
              key));
    }
    // Released before (a re-sent job-completion), or a lifecycle has the agent: nothing to do here.
    return registry.recordedDecision(key);
  }

  /**
   * Launches a reserved agent unless it already was. A replayed decision gets here too: the service
   * may have died between reserving the agent and launching it, or another instance may own it, so
   * its agent is read first. A fresh decision reserved its agent just now for this instance, and
   * only the decision's job launches it; if cleanup ends the reservation meanwhile, the launch
   * mark's compare-and-set tells.
   */
  private void ensureLaunched(
      RecordedDecision decision,
      CreateAgentRequest request,
      AgentProfile profile,
      ClusterProfile cluster) {
    String agentId = decision.agentId().orElseThrow();
    if (decision.replayed() && !awaitsLaunchHere(registry.find(agentId).orElseThrow())) {
      return;
    }
    try {
      provider.launch(
          new AgentLaunch(
              agentId,
              properties.pluginId(),
              request.autoRegisterKey(),
              profile,
              cluster.id(),
              request.jobIdentifier(),
              Optional.ofNullable(request.clusterProfileProperties().get("go_server_url"))
                  .filter(url -> !url.isBlank())));
    } catch (InvalidJobVariablesException e) {
      // The provider refused the agent's settings: no retry changes that, so the job's incident
      // says why.
      // Not a failed launch: the provider refused before it started anything.
      terminator.terminate(
          registry.find(agentId).orElseThrow(),
          new Termination(
              TerminationKind.OTHER, "launch refused: " + String.join("; ", e.problems())));
      throw e;
    } catch (RuntimeException e) {
      terminator.terminate(
          registry.find(agentId).orElseThrow(),
          new Termination(TerminationKind.LAUNCH_FAILED, "launch failed"));
      throw new IllegalStateException(
          "Could not launch agent " + agentId + ": " + e.getMessage(), e);
    }
    if (!registry.markLaunched(agentId)
        && registry.find(agentId).filter(a -> a.state() == AgentState.TERMINATED).isPresent()) {
      // Terminated while it was being launched: its termination ran before the process existed.
      terminator.removeUnknown(agentId);
    }
  }

  private boolean awaitsLaunchHere(Agent agent) {
    return agent.state() == AgentState.PENDING
        && !agent.isLaunched()
        && agent.owner().equals(provider.owner());
  }

  private void report(
      RecordedDecision decision, CreateAgentRequest request, ClusterProfile cluster) {
    String job =
        request
            .jobIdentifier()
            .map(JobIdentifier::locator)
            .orElse("a request without job identifier");
    String agent = decision.agentId().orElse("");
    if (decision.replayed()) {
      return; // the registry logged and counted the replay
    }
    DecisionOutcome outcome = decision.createAgentOutcome();
    switch (outcome) {
      case CREATED -> log.info("Created agent {} for {}", agent, job);
      case REUSED -> log.info("Reused idle agent {} for {}", agent, job);
      case ALREADY_CREATED ->
          log.debug("Agent {} already serves {}: another lifecycle asked for it", agent, job);
      case DECLINED ->
          log.info("Declined agent for {}: {}", job, decision.variables().get("decline_reason"));
    }
    meters
        .counter(
            "elastic.agents.decisions",
            "decision",
            outcome.metricName(),
            "cluster_profile",
            cluster.id())
        .increment();
  }

  /**
   * Lets go of the agent of a job that completed or overran: keeps it for reuse or terminates it,
   * but only while it still serves this lifecycle's assignment and the completed job.
   */
  public RecordedDecision release(ReleaseRequest release, DecisionKey key) {
    for (int attempt = 1; ; attempt++) {
      Optional<RecordedDecision> recorded = registry.recordedDecision(key);
      if (recorded.isPresent()) {
        return recorded.get();
      }
      Optional<Agent> agent = registry.find(release.agentId());
      Verdict verdict = Verdict.of(agent, release);
      Optional<RecordedDecision> decided;
      try {
        decided = registry.atomically(() -> apply(verdict, agent, key));
      } catch (DuplicateKeyException e) {
        continue; // the same job was decided at the same time: replay that decision
      }
      if (decided.isPresent()) {
        finish(verdict, agent, release);
        return decided.get();
      }
      if (attempt == MAX_ATTEMPTS) {
        throw new IllegalStateException(
            "Agent %s changed %d times while its job was being released; Zeebe redelivers the job"
                .formatted(release.agentId(), MAX_ATTEMPTS));
      }
    }
  }

  /** Carries out a verdict's move and records it, in one transaction; empty when refused. */
  private Optional<RecordedDecision> apply(
      Verdict verdict, Optional<Agent> agent, DecisionKey key) {
    boolean moved =
        switch (verdict.move()) {
          case NONE -> true;
          case KEEP_IDLE -> registry.keepIdle(agent.orElseThrow());
          case TERMINATE -> terminator.claimReleased(agent.orElseThrow(), verdict.termination());
        };
    if (!moved) {
      return Optional.empty();
    }
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put("completion_decision", verdict.decision().name());
    variables.put("completion_reason", verdict.reason());
    RecordedDecision decision =
        RecordedDecision.fresh(
            verdict.decision(), agent.map(Agent::id), agent.flatMap(Agent::jobKey), variables);
    registry.recordDecision(key, decision);
    return Optional.of(decision);
  }

  private void finish(Verdict verdict, Optional<Agent> agent, ReleaseRequest release) {
    switch (verdict.decision()) {
      case KEPT -> log.info("Kept agent {}: {}", release.agentId(), verdict.reason());
      case TERMINATED -> terminator.finish(agent.orElseThrow(), verdict.termination());
      case SKIPPED -> {
        log.info("Skipped releasing agent {}: {}", release.agentId(), verdict.reason());
        meters.counter("elastic.agents.completions.skipped", "reason", verdict.code()).increment();
      }
    }
  }
}
