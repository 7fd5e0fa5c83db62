package dev.elasticagents.testing;

import static org.awaitility.Awaitility.await;

import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.registry.AgentRegistry;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.CamundaFuture;
import io.camunda.client.api.response.ProcessInstanceResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the lifecycle tests on the embedded engine share: GoCD requests of one cluster profile of
 * their own, and ways to wait for what the service did.
 */
public final class EngineLifecycles {

  private static final AtomicInteger JOB_IDS =
      new AtomicInteger((int) (System.currentTimeMillis() % 1_000_000) * 100 + 50_000_000);

  public final GoCdServer gocd;
  public final AgentRegistry registry;
  public final Path agents;
  public final String cluster = "cluster-" + UUID.randomUUID();

  public EngineLifecycles(CamundaClient client, AgentRegistry registry, Path agents) {
    this.gocd = new GoCdServer(client);
    this.registry = registry;
    this.agents = agents;
  }

  /** A v5 request for a new GoCD job of this test's cluster profile. */
  public Map<String, Object> request(
      Map<String, String> profile, Map<String, String> clusterProfile) {
    Map<String, String> profileProperties =
        new HashMap<>(Map.of("image", "gocd-agent", "memory", "2048"));
    profileProperties.putAll(profile);
    Map<String, String> clusterProperties = new HashMap<>(clusterProfile);
    clusterProperties.put("id", cluster);
    return GoCdServer.createAgentRequest(
        JOB_IDS.incrementAndGet(), profileProperties, clusterProperties);
  }

  public CamundaFuture<ProcessInstanceResult> start(Map<String, Object> request) {
    return gocd.createAgentUntilReleased(request);
  }

  public String awaitAgentOf(Map<String, Object> request) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> registry.agentOf(GoCdServer.jobOf(request)), Optional::isPresent)
        .orElseThrow();
  }

  public AgentState state(String agent) {
    return registry.find(agent).orElseThrow().state();
  }

  /**
   * The agent's process, from the pid file the local provider writes once it launched it: the
   * registry holds the agent from its reservation on, a moment before the launch.
   */
  public ProcessHandle processOf(String agent) {
    return processOf(agents, agent);
  }

  /** The process of a local agent in the work directory {@code agents}, once it was launched. */
  public static ProcessHandle processOf(Path agents, String agent) {
    Path pidFile = agents.resolve(agent).resolve("agent.pid");
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pidFile));
    try {
      long pid = Long.parseLong(Files.readString(pidFile).split(" ")[0]);
      return ProcessHandle.of(pid).orElseThrow();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
