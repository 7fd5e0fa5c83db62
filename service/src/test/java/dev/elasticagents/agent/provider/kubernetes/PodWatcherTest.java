package dev.elasticagents.agent.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.registry.RegistryReports;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.MovableClock;
import dev.elasticagents.testing.PodPhases;
import dev.elasticagents.testing.RegistryDatabases;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The registry kept true to the cluster: the pod watcher against the mock API server (CRUD mode),
 * the registry on real PostgreSQL. The mock server schedules nothing, so tests set pod phases.
 */
@EnableKubernetesMockClient(crud = true)
class PodWatcherTest {

  private static final AtomicInteger JOB_IDS = new AtomicInteger(60_000);

  static KubernetesClient client;

  private final DataSource database = RegistryDatabases.newPostgresDatabase();
  private final MovableClock clock = new MovableClock(Instant.now());
  private final KubernetesAgentProvider provider = KubernetesAgentProviderTest.provider(client);
  private final AgentServices services =
      new AgentServices(database, provider, clock, AgentServices.properties(10, 10));
  private final PodWatcher watcher = new PodWatcher(client, provider, services.terminator, clock);
  private final RegistryReports reports =
      new RegistryReports(JdbcClient.create(database), clock, new ObjectMapper());
  private final String cluster = "k8s-" + UUID.randomUUID();

  @AfterEach
  void stopWatching() {
    watcher.stop();
  }

  @Test
  void aPodThatFailedEndsItsAgentWithTheReason() {
    String agent = services.created(request(Map.of()));

    watcher.judge(
        PodPhases.failed(client, KubernetesAgentProviderTest.NAMESPACE, agent, "Error", 137));

    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED);
    assertThat(reason(agent)).isEqualTo("its pod failed: Error (exit code 137)");
    assertThat(terminations("other")).isEqualTo(1);
    assertThat(pod(agent)).as("its pod is deleted").isNull();
  }

  @Test
  void aPodStuckPendingPastTheAutoRegisterTimeoutEndsItsAgentWithTheReason() {
    String agent = services.created(request(Map.of("auto_register_timeout", "PT10M")));
    PodPhases.waiting(client, KubernetesAgentProviderTest.NAMESPACE, agent, "ImagePullBackOff");

    watcher.judge(pod(agent));
    assertThat(services.state(agent)).as("within its timeout").isEqualTo(AgentState.PENDING);

    clock.advance(Duration.ofMinutes(11));
    watcher.judge(pod(agent));
    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED);
    assertThat(reason(agent))
        .isEqualTo(
            "its pod stayed Pending longer than the auto-register timeout of PT10M:"
                + " ImagePullBackOff");
    assertThat(terminations("other")).isEqualTo(1);
  }

  @Test
  void aRegisteredAgentsPodIsNeverEndedForTheAutoRegisterTimeout() {
    String agent = services.created(request(Map.of("auto_register_timeout", "PT10M")));
    services.registry.markRegistered(List.of(agent));

    clock.advance(Duration.ofMinutes(30));
    watcher.judge(PodPhases.set(client, KubernetesAgentProviderTest.NAMESPACE, agent, "Running"));

    assertThat(services.state(agent)).isEqualTo(AgentState.BUSY);
  }

  @Test
  void aPodThatVanishedEndsItsAgent() {
    String agent = services.created(request(Map.of()));
    Pod pod = pod(agent);
    client.pods().inNamespace(KubernetesAgentProviderTest.NAMESPACE).withName(agent).delete();

    watcher.onDelete(pod, false);

    assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED);
    assertThat(reason(agent)).isEqualTo("its pod was deleted");
    assertThat(terminations("other")).isEqualTo(1);
  }

  @Test
  void aLabelledPodTheRegistryDoesNotKnowIsDeletedAsLeaked() {
    String leaked = "gocd-" + UUID.randomUUID().toString().replace("-", "");
    client
        .pods()
        .inNamespace(KubernetesAgentProviderTest.NAMESPACE)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(leaked)
                .addToLabels(AgentPods.CREATED_BY, KubernetesAgentProviderTest.PLUGIN)
                .addToLabels(AgentPods.AGENT_ID, leaked)
                .endMetadata()
                .build())
        .create();

    watcher.judge(pod(leaked));

    assertThat(pod(leaked)).isNull();
  }

  @Test
  void theWatcherSeesPodChangesAsTheyHappen() {
    watcher.start();
    String agent = services.created(request(Map.of()));

    PodPhases.set(client, KubernetesAgentProviderTest.NAMESPACE, agent, "Succeeded");

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(services.state(agent)).isEqualTo(AgentState.TERMINATED));
    assertThat(reason(agent)).isEqualTo("its pod exited");
    // Counted by the watcher's thread once the registry has the agent terminated.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(terminations("other")).isEqualTo(1));
  }

  @Test
  void capacityCountsStartingPodsAgainstMaxPendingAndRunningOnesAgainstMaxRunning() {
    Map<String, String> limits = Map.of("max_pending_agents", "1", "max_running_agents", "2");
    String first = services.created(request(limits));

    assertThat(
            services
                .lifecycle
                .createAgent(request(limits), AgentServices.createAgentJob())
                .variables()
                .get("decline_reason"))
        .isEqualTo(
            "enough idle agents: 1 agents of this profile are starting and will take waiting jobs");
    services.registry.markRegistered(List.of(first));
    String second = services.created(request(limits));
    services.registry.markRegistered(List.of(second));
    assertThat(
            services
                .lifecycle
                .createAgent(request(limits), AgentServices.createAgentJob())
                .variables()
                .get("decline_reason"))
        .isEqualTo("cluster profile '%s' is at its maximum of 2 running agents".formatted(cluster));

    watcher.judge(
        PodPhases.failed(client, KubernetesAgentProviderTest.NAMESPACE, second, "OOMKilled", 137));
    assertThat(services.created(request(limits))).as("a failed pod frees its place").isNotBlank();
    assertThat(provider.runningAgents()).contains(first).doesNotContain(second);
  }

  private CreateAgentRequest request(Map<String, String> clusterProperties) {
    Map<String, String> properties = new HashMap<>(clusterProperties);
    properties.put("id", cluster);
    CreateAgentRequest request =
        AgentServices.request(cluster, JOB_IDS.incrementAndGet(), Map.of("image", "gocd-agent"));
    return new CreateAgentRequest(
        request.autoRegisterKey(),
        request.environment(),
        request.profileProperties(),
        properties,
        request.jobIdentifier(),
        0);
  }

  private Pod pod(String agent) {
    return client.pods().inNamespace(KubernetesAgentProviderTest.NAMESPACE).withName(agent).get();
  }

  private String reason(String agent) {
    return reports.agent(agent).orElseThrow().reason().orElse("");
  }

  /** Finished terminations counted under {@code kind}, the metric's reason tag. */
  private double terminations(String kind) {
    return services.meters.counter("elastic.agents.terminations", "reason", kind).count();
  }
}
