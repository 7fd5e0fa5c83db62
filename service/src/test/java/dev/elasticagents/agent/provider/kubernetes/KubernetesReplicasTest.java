package dev.elasticagents.agent.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.ElasticAgentWorkersApplication;
import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentLaunch;
import dev.elasticagents.agent.AgentProperties;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.DecisionKey;
import dev.elasticagents.agent.RecordedDecision;
import dev.elasticagents.agent.lifecycle.AgentLifecycle;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.Pause;
import dev.elasticagents.testing.RegistryDatabases;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/**
 * Two replicas of the service with the kubernetes provider, each an application context, sharing
 * one PostgreSQL registry and one namespace of fabric8's mock API server (CRUD mode), as the
 * replicas of one deployment do. Replica A is launching an agent (reserved in the registry, its pod
 * not yet created) when replica B starts and reconciles.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesReplicasTest {

  private static final String NAMESPACE = "gocd-agents";

  static KubernetesClient client;

  private final String database = RegistryDatabases.newPostgresUrl();
  private final Pause gate = Pause.once();
  private final ExecutorService threads = Executors.newSingleThreadExecutor();
  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

  @AfterEach
  void stopReplicas() {
    gate.release();
    threads.shutdownNow();
    contexts.forEach(ConfigurableApplicationContext::close);
  }

  @Test
  void anAgentOneReplicaIsLaunchingWhileAnotherStartsKeepsItsPodAndItsCreateAgentDecision()
      throws Exception {
    ConfigurableApplicationContext a = start(gated(gate));
    AgentLifecycle lifecycle = a.getBean(AgentLifecycle.class);
    AgentRegistry registry = a.getBean(AgentRegistry.class);
    CreateAgentRequest request = AgentServices.request("k8s-replicas", 970_001, Map.of());
    DecisionKey job = AgentServices.createAgentJob();
    Future<RecordedDecision> created = threads.submit(() -> lifecycle.createAgent(request, job));
    gate.awaitReached();
    String agent = registry.live().getFirst().id();
    assertThat(pod(agent)).as("A's pod before its launch goes on").isNull();

    ConfigurableApplicationContext b =
        start(); // reconciles as it starts, before its job workers open
    gate.release();
    RecordedDecision decision = created.get(30, TimeUnit.SECONDS);

    assertThat(decision.agentId()).contains(agent);
    Agent launched = registry.find(agent).orElseThrow();
    assertThat(launched.state()).as("A's agent").isEqualTo(AgentState.PENDING);
    assertThat(launched.isLaunched()).isTrue();
    assertThat(pod(agent)).as("A's pod").isNotNull();
    RecordedDecision redelivered = lifecycle.createAgent(request, job);
    assertThat(redelivered.replayed()).as("the redelivered job replays its decision").isTrue();
    assertThat(redelivered.agentId()).contains(agent);
    assertThat(
            b.getBean(MeterRegistry.class)
                .counter("elastic.agents.reconciled", "result", "left-to-cleanup")
                .count())
        .as("B's reconciliation saw A's reservation and left it to cleanup")
        .isEqualTo(1);
  }

  private static Pod pod(String agent) {
    return client.pods().inNamespace(NAMESPACE).withName(agent).get();
  }

  /** A replica: the service with the kubernetes provider, without job workers or an engine. */
  @SafeVarargs
  private ConfigurableApplicationContext start(
      ApplicationContextInitializer<ConfigurableApplicationContext>... initializers) {
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(ElasticAgentWorkersApplication.class)
            .web(WebApplicationType.NONE)
            .initializers(initializers)
            .run(
                "--spring.datasource.url=" + database,
                "--spring.datasource.username=postgres",
                "--spring.datasource.password=",
                "--job-workers.enabled=false",
                "--deployment.enabled=false",
                "--camunda.client.grpc-address=http://127.0.0.1:9",
                "--camunda.client.rest-address=http://127.0.0.1:9",
                "--elastic-agents.provider=kubernetes",
                "--elastic-agents.kubernetes.api-url=" + client.getMasterUrl(),
                "--elastic-agents.kubernetes.namespace=" + NAMESPACE,
                "--elastic-agents.kubernetes.trust-certs=true");
    contexts.add(context);
    return context;
  }

  /** Gives the replica a provider whose launches wait at {@code gate} before creating the pod. */
  private static ApplicationContextInitializer<ConfigurableApplicationContext> gated(Pause gate) {
    return context ->
        ((GenericApplicationContext) context)
            .registerBean(
                "gatedKubernetesAgentProvider",
                KubernetesAgentProvider.class,
                () ->
                    new GatedLaunches(
                        context.getBean(KubernetesClient.class),
                        context.getBean(KubernetesProperties.class),
                        context.getBean(AgentProperties.class).pluginId(),
                        gate),
                definition -> definition.setPrimary(true));
  }

  /** The kubernetes provider, each launch held at the gate before it creates the agent's pod. */
  private static final class GatedLaunches extends KubernetesAgentProvider {
    private final Pause gate;

    GatedLaunches(
        KubernetesClient client, KubernetesProperties properties, String pluginId, Pause gate) {
      super(client, properties, pluginId);
      this.gate = gate;
    }

    @Override
    public void launch(AgentLaunch launch) {
      gate.hold();
      super.launch(launch);
    }
  }
}
