package dev.elasticagents.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the shipped models need from a cluster, read from the models themselves. */
class ModelTest {

  @Test
  void theApprovalModelNeedsCamunda88ForItsUserTaskListeners() throws IOException {
    Model approval = model("elastic-agent-approval.bpmn");

    assertThat(approval.processIds()).containsExactly("elastic-agent-approval");
    assertThat(approval.requirement())
        .contains(new Model.Requirement(new CamundaVersion(8, 8), "user task listeners"));
  }

  @Test
  void theLifecycleModelRunsOnAnySupportedCluster() throws IOException {
    Model lifecycle = model("elastic-agent-lifecycle.bpmn");

    assertThat(lifecycle.processIds()).containsExactly("elastic-agent-lifecycle");
    assertThat(lifecycle.requirement()).isEmpty();
    assertThat(lifecycle.runsOn(new CamundaVersion(8, 6))).isTrue();
  }

  @Test
  void aModelRunsOnTheReleaseItNeedsAndLater() throws IOException {
    Model approval = model("elastic-agent-approval.bpmn");

    assertThat(approval.runsOn(new CamundaVersion(8, 7))).isFalse();
    assertThat(approval.runsOn(new CamundaVersion(8, 8))).isTrue();
    assertThat(approval.runsOn(new CamundaVersion(8, 9))).isTrue();
  }

  @Test
  void aFileThatIsNotXmlIsRejectedNamingIt() {
    assertThatThrownBy(
            () -> Model.read("broken.bpmn", "<bpmn:definitions".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Model broken.bpmn is not well-formed XML");
  }

  static Model model(String filename) throws IOException {
    try (InputStream in = ModelTest.class.getResourceAsStream("/bpmn/" + filename)) {
      return Model.read(filename, in.readAllBytes());
    }
  }
}
