package dev.elasticagents.agent;

import java.util.Optional;

/**
 * What a provider that watches its own agents (the Kubernetes pod watcher) may do about those it
 * sees end: read an agent as the registry holds it, terminate it (a claim first, so that replicas
 * watching the same agents agree), or remove what runs of an agent the registry does not hold live.
 */
public interface AgentTerminations {

  /** The agent with this id, whatever its state. */
  Optional<Agent> find(String agentId);

  /** Claims and finishes the termination of an agent; false when someone else has it. */
  boolean terminate(Agent observed, Termination termination);

  /** Removes what the provider runs of an agent the registry does not hold live. */
  void removeUnknown(String agentId);
}
