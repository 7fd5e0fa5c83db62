package dev.elasticagents.agent.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.elasticagents.ElasticAgentWorkersApplication;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.engine.EmbeddedEngine;
import dev.elasticagents.testing.GoCdServer;
import dev.elasticagents.testing.InstanceResults;
import dev.elasticagents.testing.PodPhases;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.CamundaFuture;
import io.camunda.client.api.response.ProcessInstanceResult;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The service with {@code elastic-agents.provider: kubernetes} on an embedded engine of its own,
 * its agents as pods in fabric8's mock API server (CRUD mode): GoCD's create-agent makes one pod
 * and Secret however often it is sent, and job-completion removes both.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesEndToEndTest {

  private static final String NAMESPACE = "gocd-agents";
  private static final Duration DECIDED = Duration.ofSeconds(60);

  static KubernetesClient client;
  private static EmbeddedEngine engine;
  private static ConfigurableApplicationContext service;
  private static GoCdServer gocd;
  private static AgentRegistry registry;

  @BeforeAll
  static void start() {
    engine = EmbeddedEngine.start();
    service =
        new SpringApplicationBuilder(ElasticAgentWorkersApplication.class)
            .web(WebApplicationType.NONE)
            .run(
                "--camunda.client.grpc-address=" + engine.grpcAddress(),
                "--camunda.client.rest-address=" + engine.restAddress(),
                "--spring.datasource.url=jdbc:h2:mem:kubernetes-e2e;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
                "--elastic-agents.provider=kubernetes",
                "--elastic-agents.kubernetes.api-url=" + client.getMasterUrl(),
                "--elastic-agents.kubernetes.namespace=" + NAMESPACE,
                "--elastic-agents.kubernetes.trust-certs=true");
    gocd = new GoCdServer(service.getBean(CamundaClient.class));
    registry = service.getBean(AgentRegistry.class);
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void createAgentMakesOnePodAndSecretHoweverOftenItIsSentAndJobCompletionRemovesBoth() {
    Map<String, Object> request = request(910_001);
    for (int i = 0; i < 3; i++) {
      gocd.createAgent(request);
    }
    String agent = awaitAgentOf(request);
    // A job asked for after the re-sends: once it has its pod, every earlier message was handled.
    awaitAgentOf(sendCreateAgent(request(910_002)));

    List<Pod> pods =
        client
            .pods()
            .inNamespace(NAMESPACE)
            .withLabel(AgentPods.JOB_ID, "910001")
            .list()
            .getItems();
    assertThat(pods).extracting(pod -> pod.getMetadata().getName()).containsExactly(agent);
    assertThat(client.secrets().inNamespace(NAMESPACE).withName(agent).get()).isNotNull();

    gocd.jobCompleted(agent, request);

    await()
        .atMost(DECIDED)
        .until(() -> registry.find(agent).orElseThrow().state() == AgentState.TERMINATED);
    assertThat(client.pods().inNamespace(NAMESPACE).withName(agent).get()).isNull();
    assertThat(client.secrets().inNamespace(NAMESPACE).withName(agent).get()).isNull();
  }

  @Test
  void aLifecycleWhosePodFailsEndsWithTheReasonAndGoCdsNextCreateAgentGetsANewPod() {
    Map<String, Object> request = request(910_003);
    CamundaFuture<ProcessInstanceResult> lifecycle = gocd.createAgentUntilReleased(request);
    String failed = awaitAgentOf(request);

    PodPhases.failed(client, NAMESPACE, failed, "OOMKilled", 137);

    assertThat(InstanceResults.ended(lifecycle).get("agent_lost_reason"))
        .asString()
        .startsWith("its pod failed");
    gocd.createAgent(request);
    String replacement = awaitNewAgentOf(request, failed);
    assertThat(client.pods().inNamespace(NAMESPACE).withName(replacement).get()).isNotNull();
  }

  @Test
  void
      aLifecycleWhosePodStaysPendingPastTheAutoRegisterTimeoutEndsAndGoCdsNextCreateAgentGetsANewPod() {
    Map<String, Object> request =
        GoCdServer.createAgentRequest(
            910_004,
            Map.of("image", "registry.invalid/no-such-agent:1", "reuse_agents", "false"),
            Map.of(
                "id",
                "k8s-" + UUID.randomUUID().toString().substring(0, 8),
                "auto_register_timeout",
                "PT1S"));
    CamundaFuture<ProcessInstanceResult> lifecycle = gocd.createAgentUntilReleased(request);
    String pending = awaitAgentOf(request);

    PodPhases.waiting(client, NAMESPACE, pending, "ImagePullBackOff");

    await()
        .atMost(DECIDED)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              gocd.serverPing(List.of());
              return lifecycle.isDone();
            });
    assertThat(InstanceResults.ended(lifecycle).get("agent_lost_reason"))
        .asString()
        .containsAnyOf("Pending", "never registered");
    gocd.createAgent(request);
    assertThat(awaitNewAgentOf(request, pending)).isNotEqualTo(pending);
  }

  private static String awaitNewAgentOf(Map<String, Object> request, String lost) {
    JobIdentifier job = GoCdServer.jobOf(request);
    String agent =
        await()
            .atMost(DECIDED)
            .until(
                () -> registry.agentOf(job),
                found -> found.filter(id -> !id.equals(lost)).isPresent())
            .orElseThrow();
    await()
        .atMost(DECIDED)
        .until(() -> client.pods().inNamespace(NAMESPACE).withName(agent).get() != null);
    return agent;
  }

  private static Map<String, Object> sendCreateAgent(Map<String, Object> request) {
    gocd.createAgent(request);
    return request;
  }

  private static Map<String, Object> request(int jobId) {
    return GoCdServer.createAgentRequest(
        jobId,
        Map.of("image", "gocd/gocd-agent-ubuntu-24.04:v25.3.0", "reuse_agents", "false"),
        Map.of("id", "k8s-" + UUID.randomUUID().toString().substring(0, 8)));
  }

  private static String awaitAgentOf(Map<String, Object> request) {
    JobIdentifier job = GoCdServer.jobOf(request);
    String agent =
        await()
            .atMost(DECIDED)
            .until(() -> registry.agentOf(job), Optional::isPresent)
            .orElseThrow();
    await()
        .atMost(DECIDED)
        .until(() -> client.pods().inNamespace(NAMESPACE).withName(agent).get() != null);
    return agent;
  }
}
