package dev.elasticagents.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.engine.EmbeddedEngine;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.response.Process;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/** Deployment on the Camunda 8.8 engine (the embedded engine). */
class ModelDeployerOnEngineTest {

  @Test
  void an88ClusterGetsEveryModelTheApprovalModelIncluded() {
    try (EmbeddedEngine engine = EmbeddedEngine.start();
        CamundaClient client = engine.newClient()) {
      ModelDeployer deployer =
          new ModelDeployer(
              client,
              new DeploymentProperties(
                  true,
                  List.of("classpath*:bpmn/*.bpmn", "classpath*:bpmn/*.form"),
                  Duration.ofSeconds(30)),
              new PathMatchingResourcePatternResolver(),
              new DeploymentHealthIndicator());

      assertThat(deployer.plan(deployer.models()).skipped()).isEmpty();
      assertThat(deployer.deploy(deployer.models()).getProcesses())
          .extracting(Process::getBpmnProcessId)
          .containsExactlyInAnyOrder(
              "elastic-agent-approval", "elastic-agent-cleanup", "elastic-agent-lifecycle");
    }
  }
}
