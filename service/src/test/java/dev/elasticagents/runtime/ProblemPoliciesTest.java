package dev.elasticagents.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class ProblemPoliciesTest {

  @Test
  void defaultsSuitAtLeastOnceDelivery() {
    ProblemPolicy policy = policies(Map.of()).forJobType("any");

    assertThat(policy.actionFor(new Problem.InvalidArgument(400, "INVALID_ARGUMENT", "")))
        .isEqualTo(ProblemAction.FAIL);
    assertThat(policy.actionFor(new Problem.NotFound("NOT_FOUND", "")))
        .isEqualTo(ProblemAction.IGNORE);
    assertThat(policy.actionFor(new Problem.InvalidState("INVALID_STATE", "")))
        .isEqualTo(ProblemAction.IGNORE);
    assertThat(policy.actionFor(new Problem.Unavailable(503, "RESOURCE_EXHAUSTED", "")))
        .isEqualTo(ProblemAction.RETRY);
    assertThat(policy.actionFor(new Problem.Transport("SocketTimeoutException", "")))
        .isEqualTo(ProblemAction.RETRY);
    assertThat(policy.retry().maxAttempts()).isEqualTo(5);
    assertThat(policy.retry().redeliveryBackoff()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aJobTypeOverridesOnlyWhatItSets() {
    ProblemPolicies policies =
        policies(
            Map.of(
                "job-workers.problem-policy.retry.max-attempts", "7",
                "job-workers.job-types.create-agent.problem-policy.invalid-state", "fail",
                "job-workers.job-types.create-agent.problem-policy.retry.initial-backoff", "PT1S"));

    ProblemPolicy createAgent = policies.forJobType("create-agent");
    assertThat(createAgent.invalidState()).isEqualTo(ProblemAction.FAIL);
    assertThat(createAgent.retry().initialBackoff()).isEqualTo(Duration.ofSeconds(1));
    assertThat(createAgent.retry().maxAttempts()).isEqualTo(7);
    assertThat(createAgent.notFound()).isEqualTo(ProblemAction.IGNORE);
    assertThat(policies.forJobType("job-completion").invalidState())
        .isEqualTo(ProblemAction.IGNORE);
  }

  @Test
  void rejectsAnActionThatDoesNotFitTheProblem() {
    assertThatThrownBy(() -> policies(Map.of("job-workers.problem-policy.not-found", "retry")))
        .isInstanceOf(BindException.class)
        .rootCause()
        .hasMessage("not-found cannot be handled by RETRY; choose one of [IGNORE]");
  }

  @Test
  void rejectsABpmnErrorWithoutErrorCodeNamingTheJobType() {
    assertThatThrownBy(
            () ->
                policies(
                    Map.of(
                        "job-workers.job-types.create-agent.problem-policy.invalid-argument",
                        "bpmn-error")))
        .hasMessage(
            "job-workers.job-types.create-agent.problem-policy: invalid-argument: bpmn-error needs"
                + " an error-code to throw");
  }

  @Test
  void backoffGrowsByTheMultiplierUpToTheCap() {
    RetryPolicy retry =
        new RetryPolicy(6, Duration.ofMillis(100), Duration.ofMillis(500), 3, 0, Duration.ZERO);

    assertThat(retry.backoffAfter(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(retry.backoffAfter(2)).isEqualTo(Duration.ofMillis(300));
    assertThat(retry.backoffAfter(3)).isEqualTo(Duration.ofMillis(500));
  }

  private static ProblemPolicies policies(Map<String, String> properties) {
    return new ProblemPolicies(
        new Binder(new MapConfigurationPropertySource(properties))
            .bindOrCreate("job-workers", WorkerProperties.class));
  }
}
