package dev.elasticagents.runtime;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.command.CommandWithCommunicationApiStep;
import io.camunda.client.api.command.CompleteJobCommandStep1;
import io.camunda.client.api.command.CompleteUserTaskJobResultStep1;
import io.camunda.client.api.command.FinalCommandStep;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Sends one outcome once over the REST API: {@code POST /v2/jobs/{jobKey}/completion}, {@code
 * /failure} or {@code /error}, whatever protocol activated the job.
 */
@Component
public class RestCommands {

  /** The protocol commands go over. The service always uses REST; see {@link #RestCommands}. */
  enum Transport {
    REST,
    GRPC
  }

  private final CamundaClient client;
  private final Duration requestTimeout;
  private final Transport transport;

  @Autowired
  public RestCommands(CamundaClient client, WorkerProperties properties) {
    this(client, properties.requestTimeout(), Transport.REST);
  }

  /**
   * Builds the same commands but may send them over gRPC: only for tests against an in-process
   * engine that has no REST API, so that they exercise this very mapping of outcomes to commands.
   */
  RestCommands(CamundaClient client, Duration requestTimeout, Transport transport) {
    this.client = client;
    this.requestTimeout = requestTimeout;
    this.transport = transport;
  }

  /** Sends the outcome and returns the problem, if the cluster did not accept it. */
  public Optional<Problem> send(long jobKey, JobOutcome outcome) {
    return sendAsync(jobKey, outcome).toCompletableFuture().join();
  }

  /**
   * Sends the outcome without waiting for the answer: the stage completes with the problem, if the
   * cluster did not accept it, on the thread that read the answer. It never completes
   * exceptionally.
   */
  public CompletionStage<Optional<Problem>> sendAsync(long jobKey, JobOutcome outcome) {
    try {
      return command(jobKey, outcome)
          .requestTimeout(requestTimeout)
          .send()
          .handle(
              (response, failure) ->
                  failure == null ? Optional.<Problem>empty() : Optional.of(Problem.of(failure)));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(Optional.of(Problem.of(e)));
    }
  }

  private FinalCommandStep<?> command(long jobKey, JobOutcome outcome) {
    return switch (outcome) {
      case JobOutcome.Complete complete -> {
        CompleteJobCommandStep1 command = over(client.newCompleteCommand(jobKey));
        if (!complete.variables().isEmpty()) {
          command = command.variables(complete.variables());
        }
        CompleteJobCommandStep1 withoutResult = command;
        yield complete
            .userTaskResult()
            .map(result -> withoutResult.withResult(step -> userTask(step.forUserTask(), result)))
            .orElse(withoutResult);
      }
      case JobOutcome.Fail fail ->
          over(client.newFailCommand(jobKey))
              .retries(fail.retries())
              .retryBackoff(fail.retryBackoff())
              .errorMessage(fail.message());
      case JobOutcome.ThrowError error ->
          over(client.newThrowErrorCommand(jobKey))
              .errorCode(error.errorCode())
              .errorMessage(error.message())
              .variables(error.variables());
    };
  }

  // The 8.8 client deprecates the per-command protocol choice, but activation runs over gRPC
  // (REST activation breaks against 8.6 gateways) while outcomes must go over REST.
  @SuppressWarnings("deprecation")
  private <T> T over(CommandWithCommunicationApiStep<T> command) {
    return transport == Transport.REST ? command.useRest() : command.useGrpc();
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
