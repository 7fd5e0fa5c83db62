package dev.elasticagents.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.testing.VariableProbe;
import dev.elasticagents.testing.ZeebeIntegrationTest;
import io.camunda.client.CamundaClient;
import io.camunda.zeebe.model.bpmn.Bpmn;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Workers fetch only the variables their handler reads, on the embedded engine. */
@ZeebeIntegrationTest
class FetchVariablesOnEngineTest {

  @Autowired CamundaClient client;
  @Autowired VariableProbe probe;

  @Test
  void aHandlerGetsOnlyTheVariablesItDeclaresNeverTheOthersOfItsProcess()
      throws InterruptedException {
    client
        .newDeployResourceCommand()
        .addProcessModel(
            Bpmn.createExecutableProcess("variable-probe")
                .startEvent()
                .serviceTask("probe", task -> task.zeebeJobType(VariableProbe.JOB_TYPE))
                .endEvent()
                .done(),
            "variable-probe.bpmn")
        .send()
        .join();

    client
        .newCreateInstanceCommand()
        .bpmnProcessId("variable-probe")
        .latestVersion()
        .variables(
            Map.of(VariableProbe.READ, 42, "auto_register_key", "secret-key", "other", "value"))
        .send()
        .join();

    assertThat(probe.received().poll(30, TimeUnit.SECONDS))
        .isEqualTo(Map.of(VariableProbe.READ, 42));
  }
}
