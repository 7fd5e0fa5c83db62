package dev.elasticagents.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.RecordingAgentProvider;
import dev.elasticagents.testing.RegistryDatabases;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Termination reasons become a handful of kinds, the values of the metric's reason tag. */
class TerminationReasonTest {

  @ParameterizedTest(name = "''{0}'' is {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          job completed and its profile does not reuse agents   | job-completed
          job completed and its profile has no idle timeout     | job-completed
          its job ran longer than the maximum build duration of PT2H | build-overran
          busy longer than its maximum build duration of PT2H   | build-overran
          idle longer than PT10M                                | idle-timeout
          never registered within PT10M                         | never-registered
          launch failed                                         | launch-failed
          agent is no longer running                            | gone
          its process was gone when the service started         | gone
          its launch never happened: the service stopped first  | gone
          termination handed over by local:host-1               | taken-over
          termination did not finish within PT5M                | taken-over
          termination cut short when the service stopped        | taken-over
          """)
  void namesTheKindOfEveryReasonTheServiceGives(String reason, String kind) {
    assertThat(TerminationReason.kindOf(reason)).isEqualTo(kind);
  }

  @ParameterizedTest
  @CsvSource({"an operator asked for it", "''"})
  void countsAReasonOfNoKnownKindAsOther(String reason) {
    assertThat(TerminationReason.kindOf(reason)).isEqualTo("other");
  }

  @Test
  void countsAFinishedTerminationUnderTheKindOfItsReason() {
    AgentServices services =
        new AgentServices(
            RegistryDatabases.newH2Database(),
            new RecordingAgentProvider(),
            Clock.systemUTC(),
            AgentServices.properties(10, 10));
    String agent = services.created(AgentServices.request("reasons", 70_001, Map.of()));

    services.terminator.terminate(services.agent(agent), "idle longer than PT10M");

    assertThat(
            services
                .meters
                .counter("elastic.agents.terminations", "reason", "idle-timeout")
                .count())
        .isEqualTo(1);
  }
}
