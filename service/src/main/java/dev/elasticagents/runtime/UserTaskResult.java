package dev.elasticagents.runtime;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result a user-task listener returns: approve, or deny with a reason, optionally correcting
 * the task. Camunda 8.8 applies it through {@code result: {type: "userTask", ...}}.
 */
public record UserTaskResult(boolean denied, String deniedReason, Corrections corrections) {

  public UserTaskResult {
    Objects.requireNonNull(corrections, "corrections");
    if (!denied && deniedReason != null) {
      throw new IllegalArgumentException("only a denial has a reason");
    }
  }

  /** Lets the task transition go ahead, applying these corrections. */
  public static UserTaskResult approve(Corrections corrections) {
    return new UserTaskResult(false, null, corrections);
  }

  /** Stops the task transition; the reason is shown to the user. */
  public static UserTaskResult deny(String reason) {
    return new UserTaskResult(true, Objects.requireNonNull(reason, "reason"), Corrections.NONE);
  }

  /**
   * Changes to the task's attributes; an empty field leaves the attribute as it is.
   *
   * @param dueDate and {@code followUpDate} as ISO 8601 date-times
   */
  public record Corrections(
      Optional<String> assignee,
      Optional<String> dueDate,
      Optional<String> followUpDate,
      Optional<List<String>> candidateUsers,
      Optional<List<String>> candidateGroups,
      Optional<Integer> priority) {

    /** No correction at all. */
    public static final Corrections NONE =
        new Corrections(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());

    public Corrections {
      candidateUsers = candidateUsers.map(List::copyOf);
      candidateGroups = candidateGroups.map(List::copyOf);
      priority.ifPresent(
          value -> {
            if (value < 0 || value > 100) {
              throw new IllegalArgumentException("priority must be between 0 and 100: " + value);
            }
          });
    }

    /** Whether any attribute is corrected. */
    public boolean isEmpty() {
      return equals(NONE);
    }
  }
}
