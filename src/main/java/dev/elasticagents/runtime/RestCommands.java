package dev.elasticagents.runtime;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.command.CompleteJobCommandStep1;
import io.camunda.client.api.command.FinalCommandStep;
import io.camunda.client.api.command.CompleteUserTaskJobResultStep1;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Sends one outcome once over the REST API: {@code POST /v2/jobs/{jobKey}/completion},
 * {@code /failure} or {@code /error}, whatever protocol activated the job.
 */
@Component
public class RestCommands {

  private final CamundaClient client;
  private final WorkerProperties properties;

  public RestCommands(CamundaClient client, WorkerProperties properties) {
    this.client = client;
    this.properties = properties;
  }

  /** Sends the outcome and returns the problem, if the cluster did not accept it. */
  public Optional<Problem> send(long jobKey, JobOutcome outcome) {
    try {
      command(jobKey, outcome).requestTimeout(properties.requestTimeout()).send().join();
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of(Problem.of(e));
    }
  }

  // The 8.8 client deprecates the per-command protocol choice, but activation runs over gRPC
  // (REST activation breaks against 8.6 gateways) while outcomes must go over REST.
  @SuppressWarnings("deprecation")
  private FinalCommandStep<?> command(long jobKey, JobOutcome outcome) {
    return switch (outcome) {
      case JobOutcome.Complete complete -> {
        CompleteJobCommandStep1 command =
            complete.variables().isEmpty()
                ? client.newCompleteCommand(jobKey).useRest()
                : client.newCompleteCommand(jobKey).useRest().variables(complete.variables());
        yield complete
            .userTaskResult()
            .map(result -> command.withResult(step -> userTask(step.forUserTask(), result)))
            .orElse(command);
      }
      case JobOutcome.Fail fail ->
          client
              .newFailCommand(jobKey)
              .useRest()
              .retries(fail.retries())
              .retryBackoff(fail.retryBackoff())
              .errorMessage(fail.message());
      case JobOutcome.ThrowError error ->
          client
              .newThrowErrorCommand(jobKey)
              .useRest()
              .errorCode(error.errorCode())
              .errorMessage(error.message())
              .variables(error.variables());
    };
  }

  private static CompleteUserTaskJobResultStep1 userTask(
      CompleteUserTaskJobResultStep1 step, UserTaskResult result) {
    CompleteUserTaskJobResultStep1 denial =
        result.denied() ? step.deny(true, result.deniedReason()) : step.deny(false);
    UserTaskResult.Corrections corrections = result.corrections();
    if (corrections.isEmpty()) {
      return denial;
    }
    return denial.correct(
        c -> {
          corrections.assignee().ifPresent(c::assignee);
          corrections.dueDate().ifPresent(c::dueDate);
          corrections.followUpDate().ifPresent(c::followUpDate);
          corrections.candidateUsers().ifPresent(c::candidateUsers);
          corrections.candidateGroups().ifPresent(c::candidateGroups);
          corrections.priority().ifPresent(c::priority);
          return c;
        });
  }
}
