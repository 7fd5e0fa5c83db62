package dev.elasticagents.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.zeebe.ZeebeIntegrationTest;
import io.camunda.client.api.response.DeploymentEvent;
import io.camunda.client.api.response.Process;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.Resource;

@ZeebeIntegrationTest
class ModelDeployerTest {

  @Autowired ModelDeployer deployer;

  @Test
  void findsEveryModelInTheBpmnFolder() {
    assertThat(Arrays.stream(deployer.models()).map(Resource::getFilename))
        .contains("elastic-agent-lifecycle.bpmn");
  }

  @Test
  void redeployingUnchangedModelsKeepsTheirVersion() {
    Process first = lifecycle(deployer.deploy(deployer.models()));
    Process second = lifecycle(deployer.deploy(deployer.models()));

    assertThat(second.getProcessDefinitionKey()).isEqualTo(first.getProcessDefinitionKey());
    assertThat(second.getVersion()).isEqualTo(first.getVersion());
  }

  private static Process lifecycle(DeploymentEvent deployment) {
    return deployment.getProcesses().stream()
        .filter(process -> process.getBpmnProcessId().equals("elastic-agent-lifecycle"))
        .findFirst()
        .orElseThrow();
  }
}
