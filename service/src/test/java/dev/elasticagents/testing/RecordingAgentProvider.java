package dev.elasticagents.testing;

import dev.elasticagents.agent.AgentLaunch;
import dev.elasticagents.agent.AgentProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A thread-safe provider that runs nothing and records every call, in order. Tests can hold a
 * caller at a call ({@link Pause}) to interleave it deterministically with another.
 */
public final class RecordingAgentProvider implements AgentProvider {

  private final String owner;
  private final Optional<Duration> sharedLaunchGrace;
  private final Map<String, AgentLaunch> launched = new ConcurrentHashMap<>();
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final Set<String> refusedTerminations = ConcurrentHashMap.newKeySet();
  private final List<String> calls = new ArrayList<>();
  private final AtomicReference<Runnable> onNextListing = new AtomicReference<>();
  private volatile Pause beforeListing = Pause.NONE;
  private volatile Pause beforeLaunch = Pause.NONE;
  private volatile Pause beforeTerminate = Pause.NONE;
  private volatile RuntimeException launchFailure;

  public RecordingAgentProvider() {
    this("recording:instance-a");
  }

  public RecordingAgentProvider(String owner) {
    this(owner, Optional.empty());
  }

  private RecordingAgentProvider(String owner, Optional<Duration> sharedLaunchGrace) {
    this.owner = owner;
    this.sharedLaunchGrace = sharedLaunchGrace;
  }

  /** A provider whose scope every replica of the service shares, as one Kubernetes namespace. */
  public static RecordingAgentProvider sharedByReplicas(String owner, Duration launchGrace) {
    return new RecordingAgentProvider(owner, Optional.of(launchGrace));
  }

  @Override
  public String owner() {
    return owner;
  }

  @Override
  public boolean scopeSharedByReplicas() {
    return sharedLaunchGrace.isPresent();
  }

  @Override
  public Duration launchGrace() {
    return sharedLaunchGrace.orElse(Duration.ZERO);
  }

  @Override
  public void launch(AgentLaunch launch) {
    beforeLaunch.hold();
    if (launchFailure != null) {
      throw launchFailure;
    }
    // Idempotent, as the contract asks: a second launch of a running agent starts nothing.
    if (launched.putIfAbsent(launch.agentId(), launch) != null) {
      record("launch again " + launch.agentId());
      return;
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
    beforeTerminate.hold();
    if (refusedTerminations.contains(agentId)) {
      throw new IllegalStateException("the provider refuses to terminate " + agentId);
    }
    running.remove(agentId);
    record("terminate " + agentId);
  }

  @Override
  public void delete(String agentId) {
    record("delete " + agentId);
  }

  @Override
  public Set<String> runningAgents() {
    Runnable meanwhile = onNextListing.getAndSet(null);
    if (meanwhile != null) {
      meanwhile.run();
    }
    Set<String> now = Set.copyOf(running);
    beforeListing.hold();
    return now;
  }

  /** Starts an agent the registry never heard of, as a crashed instance could leave behind. */
  public void leak(String agentId) {
    running.add(agentId);
  }

  /** Stops an agent behind the registry's back, as a crash of the agent would. */
  public void crash(String agentId) {
    running.remove(agentId);
  }

  /**
   * Runs {@code meanwhile} when the next listing starts, before it looks at what runs: what another
   * thread or service instance does while the caller waits for the provider.
   */
  public void onNextListing(Runnable meanwhile) {
    onNextListing.set(meanwhile);
  }

  public void pauseBeforeListing(Pause pause) {
    beforeListing = pause;
  }

  public void pauseBeforeLaunch(Pause pause) {
    beforeLaunch = pause;
  }

  public void pauseBeforeTerminate(Pause pause) {
    beforeTerminate = pause;
  }

  /** Every termination of this agent fails, as a provider that cannot reach it. */
  public void refuseTerminationOf(String agentId) {
    refusedTerminations.add(agentId);
  }

  public void failLaunches(RuntimeException failure) {
    launchFailure = failure;
  }

  public Map<String, AgentLaunch> launched() {
    return Map.copyOf(launched);
  }

  public Set<String> running() {
    return Set.copyOf(running);
  }

  public synchronized List<String> calls() {
    return List.copyOf(calls);
  }

  /** The calls made for one agent. */
  public synchronized List<String> callsFor(String agentId) {
    return calls.stream().filter(call -> call.endsWith(" " + agentId)).toList();
  }

  private synchronized void record(String call) {
    calls.add(call);
  }
}
