package dev.elasticagents.benchmark;

import dev.elasticagents.agent.AgentLaunch;
import dev.elasticagents.agent.AgentProvider;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A provider whose launch takes as long as a slow machine start: agents of the burst's cluster
 * profile take {@code launchMillis}, all others start at once. It starts nothing; it only remembers
 * which agents it "runs", so that reconciliation and cleanup see them as alive.
 */
final class SlowLaunchProvider implements AgentProvider {

  static final String OWNER = "benchmark";

  private final String slowClusterProfile;
  private final long launchMillis;
  private final InFlight launches;
  private final Set<String> running = ConcurrentHashMap.newKeySet();

  SlowLaunchProvider(String slowClusterProfile, long launchMillis, InFlight launches) {
    this.slowClusterProfile = slowClusterProfile;
    this.launchMillis = launchMillis;
    this.launches = launches;
  }

  @Override
  public String owner() {
    return OWNER;
  }

  @Override
  public void launch(AgentLaunch launch) {
    if (launch.clusterProfileId().equals(slowClusterProfile)) {
      launches.run(() -> InFlight.sleep(launchMillis));
    }
    running.add(launch.agentId());
  }

  @Override
  public void disable(String agentId) {}

  @Override
  public void terminate(String agentId) {
    running.remove(agentId);
  }

  @Override
  public void delete(String agentId) {
    running.remove(agentId);
  }

  @Override
  public Set<String> runningAgents() {
    return Set.copyOf(running);
  }
}
