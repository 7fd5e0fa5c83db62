package dev.elasticagents.agent.lifecycle;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentProvider;
import dev.elasticagents.agent.AgentTerminations;
import dev.elasticagents.agent.Termination;
import dev.elasticagents.agent.TerminationKind;
import dev.elasticagents.agent.registry.AgentRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Terminates agents in two steps: a claim in the registry (a compare-and-set to TERMINATING, so
 * that nobody can hand the agent out or claim it too), then disable, terminate and delete by the
 * provider, and the finish recorded. Only the claimer finishes, and only if its provider owns the
 * agent: a claim by another instance is finished by the owner's cleanup.
 */
@Component
public class AgentTerminator implements AgentTerminations {

  private static final Logger log = LoggerFactory.getLogger(AgentTerminator.class);

  private final AgentRegistry registry;
  private final AgentProvider provider;
  private final MeterRegistry meters;

  public AgentTerminator(AgentRegistry registry, AgentProvider provider, MeterRegistry meters) {
    this.registry = registry;
    this.provider = provider;
    this.meters = meters;
  }

  /**
   * Claims an agent as read in {@code observed}, under this instance's owner scope; false when it
   * changed or was claimed since. A lifecycle that holds the agent hears that it is lost.
   */
  public boolean claim(Agent observed, Termination termination) {
    return registry.claimTermination(observed, provider.owner(), termination);
  }

  /**
   * Claims the agent a lifecycle lets go of (its job completed or overran): like {@link #claim},
   * without telling that lifecycle its agent is lost.
   */
  public boolean claimReleased(Agent observed, Termination termination) {
    return registry.claimReleasedTermination(observed, provider.owner(), termination);
  }

  /** Takes over a termination as read in {@code observed}; false when someone else did. */
  public boolean takeOver(Agent observed) {
    return registry.takeOverTermination(observed, provider.owner());
  }

  @Override
  public Optional<Agent> find(String agentId) {
    return registry.find(agentId);
  }

  /** Claims and finishes the termination of an agent; false when someone else has it. */
  @Override
  public boolean terminate(Agent observed, Termination termination) {
    if (!claim(observed, termination)) {
      return false;
    }
    finish(observed, termination);
    return true;
  }

  /** Finishes a termination this instance claimed, if its provider owns the agent. */
  public void finish(Agent claimed, Termination termination) {
    if (!claimed.owner().equals(provider.owner())) {
      log.info(
          "Claimed agent {} for termination ({}); its owner {} terminates it",
          claimed.id(),
          termination.reason(),
          claimed.owner());
      return;
    }
    provider.disable(claimed.id());
    provider.terminate(claimed.id());
    provider.delete(claimed.id());
    if (registry.finishTermination(claimed.id(), provider.owner())) {
      meters.counter("elastic.agents.terminations", "reason", termination.kind().tag()).increment();
      log.info("Terminated agent {}: {}", claimed.id(), termination.reason());
    }
  }

  /** Removes what the provider runs of an agent the registry does not hold live. */
  @Override
  public void removeUnknown(String agentId) {
    provider.disable(agentId);
    provider.terminate(agentId);
    provider.delete(agentId);
    meters
        .counter("elastic.agents.terminations", "reason", TerminationKind.UNKNOWN.tag())
        .increment();
    log.info("Terminated agent {} that the registry does not know as live", agentId);
  }
}
