package dev.elasticagents.agent.lifecycle;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentProperties;
import dev.elasticagents.agent.AgentProvider;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.CleanupOutcome;
import dev.elasticagents.agent.Deadlines;
import dev.elasticagents.agent.DecisionKey;
import dev.elasticagents.agent.GoCdAgent;
import dev.elasticagents.agent.RecordedDecision;
import dev.elasticagents.agent.Termination;
import dev.elasticagents.agent.TerminationKind;
import dev.elasticagents.agent.registry.AgentRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

/**
 * Cleans up with GoCD {@code server-ping} semantics, judging only the agents this instance's
 * provider owns: terminates agents that never registered in time, stayed idle too long or stayed
 * busy past their maximum build duration; takes over terminations whose claimer died or cannot
 * finish them (another instance); forgets agents whose process is gone; and terminates agents the
 * provider runs that the registry does not hold live. Each agent is claimed before the provider
 * touches it, so cleanup never kills an agent that was handed to a job after it was read.
 */
@Service
public class AgentCleanup {

  private static final Logger log = LoggerFactory.getLogger(AgentCleanup.class);

  private final AgentRegistry registry;
  private final AgentProvider provider;
  private final AgentTerminator terminator;
  private final AgentProperties properties;
  private final Clock clock;
  private final CompletionRepair completionRepair;

  public AgentCleanup(
      AgentRegistry registry,
      AgentProvider provider,
      AgentTerminator terminator,
      AgentLifecycle lifecycle,
      AgentProperties properties,
      Clock clock,
      MeterRegistry meters) {
    this.registry = registry;
    this.provider = provider;
    this.terminator = terminator;
    this.properties = properties;
    this.clock = clock;
    this.completionRepair =
        new CompletionRepair(registry, lifecycle, properties.completionRepairGrace(), meters);
  }

  /**
   * Runs one cleanup without GoCD's build states (a timer's), or replays the one recorded for a
   * redelivered job.
   *
   * @param knownAgents the agents the GoCD server knows, which have registered
   */
  public RecordedDecision cleanUp(Collection<String> knownAgents, DecisionKey key) {
    return cleanUp(knownAgents, Optional.empty(), key);
  }

  /**
   * Runs the cleanup of a GoCD server-ping, or replays the one recorded for a redelivered job. With
   * GoCD's agent list it also repairs lost job-completions ({@link CompletionRepair}).
   *
   * @param goCdAgents every agent the GoCD server lists, with its build state
   */
  public RecordedDecision cleanUpAfterPing(List<GoCdAgent> goCdAgents, DecisionKey key) {
    return cleanUp(goCdAgents.stream().map(GoCdAgent::id).toList(), Optional.of(goCdAgents), key);
  }

  private RecordedDecision cleanUp(
      Collection<String> knownAgents, Optional<List<GoCdAgent>> goCdAgents, DecisionKey key) {
    Optional<RecordedDecision> recorded = registry.recordedDecision(key);
    if (recorded.isPresent()) {
      return recorded.get();
    }
    registry.markRegistered(knownAgents);
    Instant now = clock.instant();
    List<Cleanup> repaired = new ArrayList<>();
    goCdAgents.ifPresent(
        listed ->
            registry
                .busyAgents()
                .forEach(
                    agent ->
                        onItsOwn(agent.id(), () -> completionRepair.judge(agent, listed, now))
                            .ifPresent(repaired::add)));
    List<Agent> live = registry.live();
    Set<String> running = provider.runningAgents();
    List<Cleanup> cleaned = new ArrayList<>();
    live.stream()
        .filter(agent -> agent.owner().equals(provider.owner()))
        .forEach(
            agent ->
                onItsOwn(agent.id(), () -> cleanUp(agent, running, now)).ifPresent(cleaned::add));
    Set<String> known = live.stream().map(Agent::id).collect(Collectors.toSet());
    running.stream()
        .filter(agentId -> !known.contains(agentId) && !isLive(agentId))
        .forEach(
            agentId -> onItsOwn(agentId, () -> removeUnknown(agentId)).ifPresent(cleaned::add));
    registry.purgeDecisionsBefore(now.minus(properties.decisionRetention()));
    return record(key, cleaned, repaired);
  }

  /**
   * One agent's failure (its provider refusing, say) is logged with its id and the pass goes on:
   * the agent stays as it was, a claimed termination is taken over by a later pass, an unknown
   * agent is met again by the next.
   */
  private static Optional<Cleanup> onItsOwn(String agentId, Supplier<Optional<Cleanup>> cleanup) {
    try {
      return cleanup.get();
    } catch (RuntimeException e) {
      log.warn(
          "Cleanup of agent {} failed, the other agents are cleaned up: {}", agentId, e.toString());
      return Optional.empty();
    }
  }

  private Optional<Cleanup> removeUnknown(String agentId) {
    terminator.removeUnknown(agentId);
    return Optional.of(new Cleanup(agentId, "not a live agent of the registry"));
  }

  private Optional<Cleanup> cleanUp(Agent agent, Set<String> running, Instant now) {
    if (agent.state() == AgentState.TERMINATING) {
      return takeOver(agent, now)
          .filter(termination -> terminator.takeOver(agent))
          .map(termination -> finished(agent, termination));
    }
    return termination(agent, running, now)
        .filter(termination -> terminator.claim(agent, termination))
        .map(termination -> finished(agent, termination));
  }

  private Cleanup finished(Agent agent, Termination termination) {
    terminator.finish(agent, termination);
    return new Cleanup(agent.id(), termination.reason());
  }

  /** Why this instance takes over a termination: its claimer cannot finish it, or did not. */
  private Optional<Termination> takeOver(Agent agent, Instant now) {
    if (!agent.claimedBy().equals(Optional.of(provider.owner()))) {
      return Optional.of(
          new Termination(
              TerminationKind.TAKEN_OVER,
              "termination handed over by " + agent.claimedBy().orElse("an unknown claimer")));
    }
    return agent
        .terminatingSince()
        .filter(since -> !since.plus(properties.terminationTimeout()).isAfter(now))
        .map(
            since ->
                new Termination(
                    TerminationKind.TAKEN_OVER,
                    "termination did not finish within " + properties.terminationTimeout()));
  }

  /** Why cleanup terminates an agent it judges: a timeout, or its process is gone. */
  private Optional<Termination> termination(Agent agent, Set<String> running, Instant now) {
    return agent
        .timeoutTermination(now)
        .or(
            () ->
                agent
                            .launchedAt()
                            .filter(
                                at -> !Deadlines.after(at, provider.listingDelay()).isAfter(now))
                            .isPresent()
                        && !running.contains(agent.id())
                    ? Optional.of(
                        new Termination(TerminationKind.GONE, "agent is no longer running"))
                    : Optional.empty());
  }

  // Launched by this instance after cleanup read the registry?
  private boolean isLive(String agentId) {
    return registry.find(agentId).filter(agent -> agent.state().isLive()).isPresent();
  }

  private RecordedDecision record(DecisionKey key, List<Cleanup> cleaned, List<Cleanup> repaired) {
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put("cleaned_up_agents", cleaned.stream().map(Cleanup::variables).toList());
    variables.put("repaired_completions", repaired.stream().map(Cleanup::variables).toList());
    RecordedDecision decision =
        RecordedDecision.fresh(
            CleanupOutcome.CLEANED, Optional.empty(), Optional.empty(), variables);
    try {
      registry.atomically(
          () -> {
            registry.recordDecision(key, decision);
            return decision;
          });
      return decision;
    } catch (DuplicateKeyException e) {
      return registry.recordedDecision(key).orElseThrow();
    }
  }

  /** An agent cleanup terminated or released, and why. */
  public record Cleanup(String agentId, String reason) {
    Map<String, Object> variables() {
      return Map.of("elastic_agent_id", agentId, "reason", reason);
    }
  }
}
