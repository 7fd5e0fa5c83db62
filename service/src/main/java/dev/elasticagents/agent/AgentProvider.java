package dev.elasticagents.agent;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Launches and removes the machines, containers or processes that run elastic agents. Terminating
 * an agent calls {@link #disable}, {@link #terminate} and {@link #delete}, in that order, as the
 * reference plugins do. Implementations are called from several threads at once, and every call
 * must be idempotent: a redelivered job or a cleanup that takes over a termination repeats it.
 */
public interface AgentProvider {

  /**
   * The scope within which this provider sees and controls its agents, recorded with each agent it
   * launches. Only a provider of the same scope judges whether an agent runs and terminates it: for
   * agents that live on one host, that is the service instance that launched them.
   */
  String owner();

  /**
   * Whether other service instances launch agents in this provider's {@link #owner() scope} at the
   * same time, as replicas sharing one Kubernetes namespace do. A starting instance then cannot
   * tell an agent whose process is gone from one another instance is launching right now, so its
   * reconciliation leaves agents younger than {@link #launchGrace()} to cleanup. False for agents
   * that belong to one instance.
   */
  default boolean scopeSharedByReplicas() {
    return false;
  }

  /**
   * How long after an agent's reservation (or its launch) this provider may still not list it among
   * {@link #runningAgents()}; only read for a scope shared by replicas.
   */
  default Duration launchGrace() {
    return Duration.ZERO;
  }

  /**
   * What keeps this provider from launching an agent of {@code profile}, each problem a sentence
   * naming the profile property; empty when it can. Checked before any agent is reserved, so a
   * request the provider cannot serve fails its job with an incident and reserves nothing.
   */
  default List<String> problemsWith(AgentProfile profile) {
    return List.of();
  }

  /** Starts an agent that auto-registers with the settings in {@code launch}; no-op if it runs. */
  void launch(AgentLaunch launch);

  /** Stops the agent from taking new work. */
  void disable(String agentId);

  /** Stops the agent. */
  void terminate(String agentId);

  /** Removes what is left of the agent. */
  void delete(String agentId);

  /** The agents this provider runs now, whether the registry knows them or not. */
  Set<String> runningAgents();

  /**
   * How long after a launch {@link #runningAgents()} may still leave the agent out (an API server's
   * cache, say): cleanup judges a launched agent it does not list only after this.
   */
  default Duration listingDelay() {
    return Duration.ofMinutes(1);
  }
}
