package dev.elasticagents.approval;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A user task transition that waits for the approval policy: an assignment or a completion. */
public sealed interface ListenerEvent {

  /** The request the task decides on. */
  ApprovalRequest request();

  /**
   * Someone is being assigned to the task.
   *
   * @param assignee the new assignee; blank when the task is being unassigned
   * @param candidateGroups the task's candidate groups before the assignment
   * @param priority the task's priority before the assignment
   * @param dueDate the task's due date, when it has one
   */
  record Assigning(
      ApprovalRequest request,
      String assignee,
      List<String> candidateGroups,
      Optional<Integer> priority,
      Optional<OffsetDateTime> dueDate)
      implements ListenerEvent {
    public Assigning {
      Objects.requireNonNull(request, "request");
      assignee = assignee == null ? "" : assignee;
      candidateGroups = List.copyOf(candidateGroups);
    }
  }

  /**
   * The assignee completes the task with a decision.
   *
   * @param assignee the task's assignee; blank when nobody is assigned
   * @param approved whether the assignee approves the request; {@code false} rejects it
   */
  record Completing(ApprovalRequest request, String assignee, boolean approved)
      implements ListenerEvent {
    public Completing {
      Objects.requireNonNull(request, "request");
      assignee = assignee == null ? "" : assignee;
    }
  }
}
