package dev.elasticagents.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.agent.Termination;
import dev.elasticagents.agent.TerminationKind;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.RecordingAgentProvider;
import dev.elasticagents.testing.RegistryDatabases;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The kinds of terminations are the values of the metric's reason tag, which dashboards and alerts
 * read: they stay as they are. Each decision point's kind is asserted by the tests of that point.
 */
class TerminationKindTest {

  @ParameterizedTest(name = "{0} is tagged {1}")
  @CsvSource({
    "JOB_COMPLETED, job-completed",
    "BUILD_OVERRAN, build-overran",
    "IDLE_TIMEOUT, idle-timeout",
    "NEVER_REGISTERED, never-registered",
    "LAUNCH_FAILED, launch-failed",
    "GONE, gone",
    "TAKEN_OVER, taken-over",
    "UNKNOWN, unknown",
    "OTHER, other"
  })
  void tagsEveryKindWithTheValueTheMetricAlwaysHad(TerminationKind kind, String tag) {
    assertThat(kind.tag()).isEqualTo(tag);
  }

  @Test
  void hasNoOtherKinds() {
    assertThat(Arrays.stream(TerminationKind.values()).map(TerminationKind::tag))
        .containsExactlyInAnyOrder(
            "job-completed",
            "build-overran",
            "idle-timeout",
            "never-registered",
            "launch-failed",
            "gone",
            "taken-over",
            "unknown",
            "other");
  }

  @Test
  void countsAFinishedTerminationUnderItsKindWhateverItsReasonSays() {
    AgentServices services =
        new AgentServices(
            RegistryDatabases.newH2Database(),
            new RecordingAgentProvider(),
            Clock.systemUTC(),
            AgentServices.properties(10, 10));
    String agent = services.created(AgentServices.request("kinds", 70_001, Map.of()));

    services.terminator.terminate(
        services.agent(agent), new Termination(TerminationKind.IDLE_TIMEOUT, "launch failed"));

    assertThat(
            services
                .meters
                .counter("elastic.agents.terminations", "reason", "idle-timeout")
                .count())
        .isEqualTo(1);
    assertThat(
            services
                .meters
                .counter("elastic.agents.terminations", "reason", "launch-failed")
                .count())
        .isZero();
  }
}
