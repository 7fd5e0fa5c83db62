package dev.elasticagents.runtime;

import static dev.elasticagents.runtime.ProblemAction.BPMN_ERROR;
import static dev.elasticagents.runtime.ProblemAction.FAIL;
import static dev.elasticagents.runtime.ProblemAction.IGNORE;
import static dev.elasticagents.runtime.ProblemAction.RETRY;
import static java.util.Objects.requireNonNullElse;

import java.util.EnumSet;
import java.util.Set;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What to do with each class of problem the cluster answers when an outcome is sent. The defaults
 * suit Zeebe's at-least-once delivery: a completion that may have been applied is safe to send
 * again, because a second one answers 404 and is ignored.
 *
 * @param invalidArgument 400 and other 4xx: {@code fail} (an incident with the problem detail),
 *     {@code bpmn-error} (throws {@code errorCode}) or {@code ignore}
 * @param errorCode the BPMN error code thrown by the {@code bpmn-error} action
 * @param notFound 404, the job is gone: {@code ignore}
 * @param invalidState 409, the job failed or threw an error elsewhere: {@code ignore} or {@code
 *     fail}
 * @param transientFailure 429, 5xx, unreadable responses and transport failures: {@code retry},
 *     {@code fail} (with one retry fewer, for Zeebe to redeliver) or {@code ignore}
 * @param retry how {@code retry} sends again
 */
public record ProblemPolicy(
    @DefaultValue("fail") ProblemAction invalidArgument,
    @DefaultValue("") String errorCode,
    @DefaultValue("ignore") ProblemAction notFound,
    @DefaultValue("ignore") ProblemAction invalidState,
    @DefaultValue("retry") ProblemAction transientFailure,
    @DefaultValue RetryPolicy retry) {

  public ProblemPolicy {
    allow("invalid-argument", invalidArgument, FAIL, BPMN_ERROR, IGNORE);
    allow("not-found", notFound, IGNORE);
    allow("invalid-state", invalidState, IGNORE, FAIL);
    allow("transient-failure", transientFailure, RETRY, FAIL, IGNORE);
    if (invalidArgument == BPMN_ERROR && errorCode.isBlank()) {
      throw new IllegalArgumentException(
          "invalid-argument: bpmn-error needs an error-code to throw");
    }
  }

  private static void allow(String problem, ProblemAction action, ProblemAction... allowed) {
    Set<ProblemAction> permitted = EnumSet.of(allowed[0], allowed);
    if (!permitted.contains(action)) {
      throw new IllegalArgumentException(
          "%s cannot be handled by %s; choose one of %s".formatted(problem, action, permitted));
    }
  }

  /** The action for a problem; credentials the cluster rejects are never retried here. */
  public ProblemAction actionFor(Problem problem) {
    return switch (problem) {
      case Problem.InvalidArgument p -> invalidArgument;
      case Problem.Unauthorized p -> ProblemAction.IGNORE;
      case Problem.NotFound p -> notFound;
      case Problem.InvalidState p -> invalidState;
      case Problem.Unavailable p -> transientFailure;
      case Problem.Transport p -> transientFailure;
      case Problem.MalformedResponse p -> transientFailure;
    };
  }

  /** The same policy with the overridden values replaced. */
  ProblemPolicy with(Override override) {
    return new ProblemPolicy(
        requireNonNullElse(override.invalidArgument(), invalidArgument),
        requireNonNullElse(override.errorCode(), errorCode),
        requireNonNullElse(override.notFound(), notFound),
        requireNonNullElse(override.invalidState(), invalidState),
        requireNonNullElse(override.transientFailure(), transientFailure),
        override.retry() != null ? retry.with(override.retry()) : retry);
  }

  /** Per-job-type values that replace the defaults; a value left out (null) keeps the default. */
  public record Override(
      ProblemAction invalidArgument,
      String errorCode,
      ProblemAction notFound,
      ProblemAction invalidState,
      ProblemAction transientFailure,
      RetryPolicy.Override retry) {}
}
