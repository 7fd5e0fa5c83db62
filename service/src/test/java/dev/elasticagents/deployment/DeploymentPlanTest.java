package dev.elasticagents.deployment;

import static dev.elasticagents.deployment.ModelTest.model;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeploymentPlanTest {

  private List<Model> models;

  @BeforeEach
  void readTheShippedModels() throws IOException {
    models = List.of(model("elastic-agent-approval.bpmn"), model("elastic-agent-lifecycle.bpmn"));
  }

  @Test
  void aPre88ClusterGetsTheLifecycleButNotTheApprovalModel() {
    DeploymentPlan plan = DeploymentPlan.forCluster("8.6.0", models);

    assertThat(plan.deployable())
        .extracting(Model::filename)
        .containsExactly("elastic-agent-lifecycle.bpmn");
    assertThat(plan.skipped())
        .extracting(Model::filename)
        .containsExactly("elastic-agent-approval.bpmn");
  }

  @Test
  void an88ClusterGetsEveryModel() {
    DeploymentPlan plan = DeploymentPlan.forCluster("8.8.0", models);

    assertThat(plan.deployable()).hasSize(2);
    assertThat(plan.skipped()).isEmpty();
  }

  @Test
  void aClusterWhoseVersionCannotBeReadGetsEveryModelToDecideOnItself() {
    DeploymentPlan plan = DeploymentPlan.forCluster("dev-build", models);

    assertThat(plan.version()).isEmpty();
    assertThat(plan.deployable()).hasSize(2);
    assertThat(plan.skipped()).isEmpty();
  }
}
