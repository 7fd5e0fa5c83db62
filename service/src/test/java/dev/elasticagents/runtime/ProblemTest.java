package dev.elasticagents.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.camunda.client.api.command.ClientHttpException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** How a failure to send an outcome becomes the problem its policy acts on. */
class ProblemTest {

  @Test
  void aFailureWrappedByACompletionStageIsClassifiedByWhatItWraps() {
    ClientHttpException unavailable = new ClientHttpException(503, "Service Unavailable");

    assertThat(Problem.of(new CompletionException(unavailable)))
        .isEqualTo(Problem.of(unavailable))
        .isInstanceOf(Problem.Unavailable.class);
  }
}
