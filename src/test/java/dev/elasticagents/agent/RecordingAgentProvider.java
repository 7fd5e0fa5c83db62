package dev.elasticagents.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A thread-safe provider that runs nothing and records every call, in order. */
final class RecordingAgentProvider implements AgentProvider {

  private final Map<String, AgentLaunch> launched = new ConcurrentHashMap<>();
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final List<String> calls = new ArrayList<>();

  @Override
  public void launch(AgentLaunch launch) {
    if (launched.putIfAbsent(launch.agentId(), launch) != null) {
      throw new AssertionError("launched twice: " + launch.agentId());
    }
    running.add(launch.agentId());
    record("launch " + launch.agentId());
  }

  @Override
  public void disable(String agentId) {
    record("disable " + agentId);
  }

  @Override
  public void terminate(String agentId) {
    running.remove(agentId);
    record("terminate " + agentId);
  }

  @Override
  public void delete(String agentId) {
    record("delete " + agentId);
  }

  @Override
  public Set<String> runningAgents() {
    return Set.copyOf(running);
  }

  /** Starts an agent the registry never heard of, as a crashed instance could leave behind. */
  void leak(String agentId) {
    running.add(agentId);
  }

  Map<String, AgentLaunch> launched() {
    return Map.copyOf(launched);
  }

  synchronized List<String> calls() {
    return List.copyOf(calls);
  }

  private synchronized void record(String call) {
    calls.add(call);
  }
}
