package dev.elasticagents.runtime;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** What a handler decided for one job; the runtime sends it to the cluster. */
public sealed interface JobOutcome {

  /**
   * Completes the job with result variables and, for a user-task listener, a result that may deny
   * the transition. Listener completions carry no variables: the cluster rejects them. A variable
   * whose value is null is set to null in the process, which is how a handler clears one.
   */
  record Complete(Map<String, Object> variables, Optional<UserTaskResult> userTaskResult)
      implements JobOutcome {
    public Complete {
      variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
      Objects.requireNonNull(userTaskResult, "userTaskResult");
      if (userTaskResult.isPresent() && !variables.isEmpty()) {
        throw new IllegalArgumentException(
            "a user-task listener completes without variables, but got " + variables.keySet());
      }
    }
  }

  /**
   * Fails the job. With {@code retries} 0 the cluster raises an incident showing {@code message};
   * otherwise it redelivers the job after {@code retryBackoff}.
   */
  record Fail(String message, int retries, Duration retryBackoff) implements JobOutcome {
    public Fail {
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(retryBackoff, "retryBackoff");
      if (retries < 0) {
        throw new IllegalArgumentException("retries must not be negative: " + retries);
      }
    }

    /** A failure no retry can fix: the cluster raises an incident at once. */
    public static Fail incident(String message) {
      return new Fail(message, 0, Duration.ZERO);
    }
  }

  /** Throws a BPMN error that an error boundary event in the model can catch. */
  record ThrowError(String errorCode, String message, Map<String, Object> variables)
      implements JobOutcome {
    public ThrowError {
      Objects.requireNonNull(errorCode, "errorCode");
      Objects.requireNonNull(message, "message");
      variables = Map.copyOf(variables);
    }
  }

  /** Completes a job with these variables. */
  static Complete complete(Map<String, Object> variables) {
    return new Complete(variables, Optional.empty());
  }

  /** Completes a user-task listener job with a result that approves or denies. */
  static Complete completeUserTask(UserTaskResult result) {
    return new Complete(Map.of(), Optional.of(result));
  }

  /** A short name for logs and metrics: complete, deny, fail or throw-error. */
  default String kind() {
    return switch (this) {
      case Complete complete ->
          complete.userTaskResult().filter(UserTaskResult::denied).isPresent()
              ? "deny"
              : "complete";
      case Fail fail -> "fail";
      case ThrowError error -> "throw-error";
    };
  }
}
