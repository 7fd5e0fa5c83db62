package dev.elasticagents.testing;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.CamundaFuture;
import io.camunda.client.api.response.ProcessInstanceResult;
import io.camunda.zeebe.model.bpmn.Bpmn;

/** A process of one service task, deployed and started on the engine for a test's job type. */
public final class OneTaskProcess {

  private OneTaskProcess() {}

  /**
   * Deploys process {@code processId} with one task of {@code jobType} and starts an instance; the
   * future completes with its variables when it ends.
   */
  public static CamundaFuture<ProcessInstanceResult> startWithResult(
      CamundaClient client, String processId, String jobType) {
    client
        .newDeployResourceCommand()
        .addProcessModel(
            Bpmn.createExecutableProcess(processId)
                .startEvent()
                .serviceTask("task", task -> task.zeebeJobType(jobType))
                .endEvent()
                .done(),
            processId + ".bpmn")
        .send()
        .join();
    return client
        .newCreateInstanceCommand()
        .bpmnProcessId(processId)
        .latestVersion()
        .withResult()
        .requestTimeout(InstanceResults.REQUEST_TIMEOUT)
        .send();
  }
}
