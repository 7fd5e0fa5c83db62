package dev.elasticagents.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.elasticagents.engine.EmbeddedEngine;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.response.DeploymentEvent;
import io.camunda.client.api.response.Process;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.core.io.support.ResourcePatternResolver;

/**
 * Deployment on a cluster older than 8.8: an engine of its own whose gateway reports 8.6.0, as an
 * 8.6 gateway does. What the deployer decides, it decides from that version alone.
 */
@ExtendWith(OutputCaptureExtension.class)
class ModelDeployerTest {

  private static EmbeddedEngine engine;
  private static CamundaClient client;
  private final DeploymentProperties properties =
      new DeploymentProperties(
          true,
          List.of("classpath*:bpmn/*.bpmn", "classpath*:bpmn/*.form"),
          Duration.ofSeconds(30));
  private final ResourcePatternResolver resources = new PathMatchingResourcePatternResolver();
  private final ModelDeployer deployer =
      new ModelDeployer(client, properties, resources, new DeploymentHealthIndicator());

  @BeforeAll
  static void startAnEngineReportingAnOlderVersion() {
    engine = EmbeddedEngine.startReportingVersion("8.6.0");
    client = engine.newClient();
  }

  @AfterAll
  static void stopTheEngine() {
    client.close();
    engine.close();
  }

  @Test
  void findsEveryModelInTheBpmnFolder() {
    assertThat(Arrays.stream(deployer.models()).map(Resource::getFilename))
        .contains("elastic-agent-lifecycle.bpmn", "elastic-agent-approval.bpmn");
  }

  @Test
  void redeployingUnchangedModelsKeepsTheirVersion() {
    Process first = lifecycle(deployer.deploy(deployer.models()));
    Process second = lifecycle(deployer.deploy(deployer.models()));

    assertThat(second.getProcessDefinitionKey()).isEqualTo(first.getProcessDefinitionKey());
    assertThat(second.getVersion()).isEqualTo(first.getVersion());
  }

  @Test
  void readsTheVersionOfTheClusterFromItsTopology() {
    assertThat(deployer.plan(deployer.models()).clusterVersion()).isEqualTo("8.6.0");
  }

  @Test
  void aPre88ClusterGetsTheLifecycleAndCleanupModelsButNotTheApprovalModel() {
    DeploymentPlan plan = deployer.plan(deployer.models());

    assertThat(plan.deployable())
        .extracting(Model::filename)
        .containsExactly(
            "approve-elastic-agent-request.form",
            "elastic-agent-cleanup.bpmn",
            "elastic-agent-lifecycle.bpmn");
    assertThat(plan.skipped())
        .extracting(Model::filename)
        .containsExactly("elastic-agent-approval.bpmn");
  }

  @Test
  void theApprovalProcessIsNotDeployedOnAPre88Cluster() {
    DeploymentEvent deployment = deployer.deploy(deployer.models());

    assertThat(deployment.getProcesses())
        .extracting(Process::getBpmnProcessId)
        .containsExactly("elastic-agent-cleanup", "elastic-agent-lifecycle");
    assertThatThrownBy(
            () ->
                client
                    .newCreateInstanceCommand()
                    .bpmnProcessId("elastic-agent-approval")
                    .latestVersion()
                    .send()
                    .join())
        .hasMessageContaining("elastic-agent-approval")
        .hasMessageContaining("NOT_FOUND");
  }

  @Test
  void startingOnAPre88ClusterSaysOnceAtWarnThatTheApprovalProcessIsNotDeployed(
      CapturedOutput output) throws InterruptedException {
    // The capture may hold this context's own start-up: look at this start only.
    int before = output.getOut().length();
    new ModelDeployer(client, properties, resources, new DeploymentHealthIndicator())
        .run(new DefaultApplicationArguments());
    String start = output.getOut().substring(before);

    assertThat(
            start
                .lines()
                .filter(line -> line.contains("WARN") && line.contains("elastic-agent-approval")))
        .singleElement()
        .asString()
        .contains(
            "Not deploying elastic-agent-approval.bpmn on this cluster (version 8.6.0): it uses"
                + " user task listeners, which need Camunda 8.8 or later");
    assertThat(start).contains("Deployed process 'elastic-agent-lifecycle'");
  }

  private static Process lifecycle(DeploymentEvent deployment) {
    return deployment.getProcesses().stream()
        .filter(process -> process.getBpmnProcessId().equals("elastic-agent-lifecycle"))
        .findFirst()
        .orElseThrow();
  }
}
