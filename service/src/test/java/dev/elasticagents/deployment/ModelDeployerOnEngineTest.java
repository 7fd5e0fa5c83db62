package dev.elasticagents.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.elasticagents.engine.EmbeddedEngine;
import dev.elasticagents.runtime.JobWorkerRegistrar;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.response.Process;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/** Deployment on the Camunda 8.8 engine (the embedded engine). */
@ExtendWith(OutputCaptureExtension.class)
class ModelDeployerOnEngineTest {

  @Test
  void theDeploymentBeginsInTheFirstLifecyclePhaseAndStartUpEndsOnceItIsDone(CapturedOutput output)
      throws InterruptedException {
    try (EmbeddedEngine engine = EmbeddedEngine.start();
        CamundaClient client = engine.newClient()) {
      DeploymentHealthIndicator health = new DeploymentHealthIndicator();
      ModelDeployer deployer = deployer(client, health);
      int before = output.getOut().length();

      deployer.start();

      assertThat(deployer.getPhase()).isLessThan(JobWorkerRegistrar.PHASE);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> health.health().getStatus(), Status.UP::equals);
      deployer.run(new DefaultApplicationArguments());
      assertThat(
              output
                  .getOut()
                  .substring(before)
                  .lines()
                  .filter(line -> line.contains("Deployed process 'elastic-agent-lifecycle'")))
          .as("the runner waits for the deployment the lifecycle began; it deploys nothing more")
          .hasSize(1);
    }
  }

  @Test
  void an88ClusterGetsEveryModelTheApprovalModelIncluded() {
    try (EmbeddedEngine engine = EmbeddedEngine.start();
        CamundaClient client = engine.newClient()) {
      ModelDeployer deployer = deployer(client, new DeploymentHealthIndicator());

      assertThat(deployer.plan(deployer.models()).skipped()).isEmpty();
      assertThat(deployer.deploy(deployer.models()).getProcesses())
          .extracting(Process::getBpmnProcessId)
          .containsExactlyInAnyOrder(
              "elastic-agent-approval", "elastic-agent-cleanup", "elastic-agent-lifecycle");
    }
  }

  private static ModelDeployer deployer(CamundaClient client, DeploymentHealthIndicator health) {
    return new ModelDeployer(
        client,
        new DeploymentProperties(
            true,
            List.of("classpath*:bpmn/*.bpmn", "classpath*:bpmn/*.form"),
            Duration.ofSeconds(30)),
        new PathMatchingResourcePatternResolver(),
        health);
  }
}
