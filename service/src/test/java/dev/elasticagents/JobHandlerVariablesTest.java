package dev.elasticagents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.runtime.JobHandler;
import dev.elasticagents.testing.ZeebeIntegrationTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What the service's workers fetch of their process instances: only what each handler reads, and
 * the auto-register key only where an agent is launched with it.
 */
@ZeebeIntegrationTest
class JobHandlerVariablesTest {

  @Autowired List<JobHandler> handlers;

  @Test
  void everyHandlerNamesTheVariablesItReadsAsAnEmptyListWouldFetchThemAll() {
    assertThat(handlers)
        .extracting(JobHandler::jobType)
        .contains(
            "create-agent",
            "job-completion",
            "terminate-agent",
            "cleanup-agents",
            "approve-agent-request");
    assertThat(handlers)
        .allSatisfy(
            handler -> assertThat(handler.fetchVariables()).as(handler.jobType()).isNotEmpty());
  }

  @Test
  void onlyCreateAgentFetchesTheAutoRegisterKey() {
    assertThat(handlers)
        .filteredOn(handler -> handler.fetchVariables().contains("auto_register_key"))
        .extracting(JobHandler::jobType)
        .containsExactly("create-agent");
  }
}
