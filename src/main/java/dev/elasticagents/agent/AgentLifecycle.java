package dev.elasticagents.agent;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * The lifecycle of elastic agents: decide and launch on create-agent, keep or terminate on
 * job-completion, and clean up with server-ping semantics. Safe to call from many threads and
 * from several service instances sharing one registry.
 */
@Service
public class AgentLifecycle {

  private static final Logger log = LoggerFactory.getLogger(AgentLifecycle.class);
  private static final Duration RECONCILE_GRACE = Duration.ofMinutes(1);

  private final AgentRegistry registry;
  private final AgentProvider provider;
  private final AgentProperties properties;
  private final Clock clock;
  private final MeterRegistry meters;

  public AgentLifecycle(
      AgentRegistry registry,
      AgentProvider provider,
      AgentProperties properties,
      Clock clock,
      MeterRegistry meters) {
    this.registry = registry;
    this.provider = provider;
    this.properties = properties;
    this.clock = clock;
    this.meters = meters;
  }

  /** Decides on an agent for a create-agent request and launches it when a new one is needed. */
  public AgentDecision createAgent(CreateAgentRequest request) {
    ClusterProfile cluster =
        ClusterProfile.from(request.clusterProfileProperties(), properties.clusterDefaults());
    AgentProfile profile =
        AgentProfile.from(request.environment(), request.profileProperties(), properties.reuseAgents());
    AgentDecision decision =
        registry.decide(
            request.jobIdentifier(),
            cluster,
            profile,
            request.capacityOverride(),
            properties.declineRetryAfter(),
            AgentId::next);
    if (decision instanceof AgentDecision.Created created) {
      launch(created.agentId(), request, profile);
    }
    String job = request.jobIdentifier().map(JobIdentifier::locator).orElse("a request without job identifier");
    switch (decision) {
      case AgentDecision.Created created ->
          log.info(
              "Created agent {} for {}{}",
              created.agentId(),
              job,
              request.capacityOverride() ? " (approved capacity override)" : "");
      case AgentDecision.Reused reused -> log.info("Reused idle agent {} for {}", reused.agentId(), job);
      case AgentDecision.AlreadyCreated existing ->
          log.info("Agent {} already serves {}: request was sent again", existing.agentId(), job);
      case AgentDecision.Declined declined -> log.info("Declined agent for {}: {}", job, declined.reason());
    }
    meters.counter("elastic.agents.decisions", "decision", decisionName(decision), "cluster_profile", cluster.id())
        .increment();
    return decision;
  }

  private void launch(String agentId, CreateAgentRequest request, AgentProfile profile) {
    try {
      provider.launch(new AgentLaunch(agentId, properties.pluginId(), request.autoRegisterKey(), profile));
    } catch (RuntimeException e) {
      terminate(agentId, "launch failed");
      throw new IllegalStateException("Could not launch agent " + agentId + ": " + e.getMessage(), e);
    }
  }

  /** Keeps the agent of a finished job for reuse, or terminates it. */
  public JobCompletion jobCompleted(String agentId) {
    return registry
        .find(agentId)
        .map(this::complete)
        .orElseGet(() -> skipped(agentId, "unknown agent"));
  }

  private JobCompletion complete(Agent agent) {
    return switch (agent.state()) {
      case TERMINATING, TERMINATED -> skipped(agent.id(), "agent already terminated");
      case IDLE -> new JobCompletion(agent.id(), JobCompletion.Decision.KEPT, "agent already idle");
      case PENDING, BUSY -> {
        if (agent.reusable() && agent.idleTimeout().isPositive() && registry.keepIdle(agent.id())) {
          log.info("Kept agent {} for reuse for up to {}", agent.id(), agent.idleTimeout());
          yield new JobCompletion(agent.id(), JobCompletion.Decision.KEPT, "kept for reuse for up to " + agent.idleTimeout());
        }
        String reason = agent.reusable() ? "its profile has no idle timeout" : "its profile does not reuse agents";
        terminate(agent.id(), "job completed and " + reason);
        yield new JobCompletion(agent.id(), JobCompletion.Decision.TERMINATED, "job completed and " + reason);
      }
    };
  }

  private JobCompletion skipped(String agentId, String reason) {
    log.info("Skipped job completion for agent {}: {}", agentId, reason);
    meters.counter("elastic.agents.completions.skipped", "reason", reason).increment();
    return new JobCompletion(agentId, JobCompletion.Decision.SKIPPED, reason);
  }

  /** Disables, terminates and deletes an agent, unless someone else already does. */
  public boolean terminate(String agentId, String reason) {
    if (!registry.beginTermination(agentId, reason)) {
      return false;
    }
    finishTermination(agentId, reason);
    return true;
  }

  private void finishTermination(String agentId, String reason) {
    provider.disable(agentId);
    provider.terminate(agentId);
    provider.delete(agentId);
    registry.markTerminated(agentId);
    meters.counter("elastic.agents.terminations").increment();
    log.info("Terminated agent {}: {}", agentId, reason);
  }

  /**
   * Cleans up with server-ping semantics: terminates agents that never registered within their
   * auto-register timeout or stayed idle past their idle timeout, finishes terminations that were
   * cut short, and reconciles the registry with what the provider runs. {@code knownAgents} are
   * the agents the GoCD server knows (its server-ping), which have therefore registered.
   */
  public List<Cleanup> cleanUp(Collection<String> knownAgents) {
    registry.markRegistered(knownAgents);
    Instant now = clock.instant();
    List<Agent> live = registry.live();
    Set<String> running = provider.runningAgents();
    List<Cleanup> cleaned = new ArrayList<>();
    for (Agent agent : live) {
      cleanupReason(agent, running, now)
          .filter(reason -> agent.state() == AgentState.TERMINATING || registry.beginTermination(agent.id(), reason))
          .ifPresent(
              reason -> {
                finishTermination(agent.id(), reason);
                cleaned.add(new Cleanup(agent.id(), reason));
              });
    }
    Set<String> known = live.stream().map(Agent::id).collect(Collectors.toSet());
    running.stream()
        .filter(agentId -> !known.contains(agentId) && !isLive(agentId))
        .forEach(
            agentId -> {
              provider.disable(agentId);
              provider.terminate(agentId);
              provider.delete(agentId);
              log.info("Terminated agent {} that the registry does not know as live", agentId);
              cleaned.add(new Cleanup(agentId, "not a live agent of the registry"));
            });
    return cleaned;
  }

  private static Optional<String> cleanupReason(Agent agent, Set<String> running, Instant now) {
    return agent
        .cleanupReason(now)
        .or(
            () ->
                // A provider may list a new agent a little after launching it.
                !running.contains(agent.id()) && agent.createdAt().plus(RECONCILE_GRACE).isBefore(now)
                    ? Optional.of("agent is no longer running")
                    : Optional.empty());
  }

  // Launched by another instance after this cleanup read the registry?
  private boolean isLive(String agentId) {
    return registry.find(agentId).filter(agent -> agent.state() != AgentState.TERMINATED).isPresent();
  }

  private static String decisionName(AgentDecision decision) {
    return switch (decision) {
      case AgentDecision.Created created -> "created";
      case AgentDecision.Reused reused -> "reused";
      case AgentDecision.AlreadyCreated existing -> "already-created";
      case AgentDecision.Declined declined -> "declined";
    };
  }

  /** What job-completion did with an agent. */
  public record JobCompletion(String agentId, Decision decision, String reason) {
    /** Kept for reuse, terminated, or skipped. */
    public enum Decision {
      KEPT,
      TERMINATED,
      SKIPPED
    }
  }

  /** An agent cleanup terminated, and why. */
  public record Cleanup(String agentId, String reason) {}
}
