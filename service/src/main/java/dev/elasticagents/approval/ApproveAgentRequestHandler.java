package dev.elasticagents.approval;

import dev.elasticagents.runtime.JobHandler;
import dev.elasticagents.runtime.JobOutcome;
import dev.elasticagents.runtime.JobVariables;
import dev.elasticagents.runtime.UserTaskResult;
import io.camunda.client.api.response.ActivatedJob;
import io.camunda.client.api.response.UserTaskProperties;
import io.camunda.client.api.search.enums.ListenerEventType;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Handles {@code approve-agent-request} jobs: the assigning and completing listeners of the
 * approval task. Approves or denies the transition by the {@link ApprovalPolicy}; the runtime
 * completes the listener job with that result and no variables. An approved completion records the
 * capacity override as a grant for the request's GoCD job before the result is sent, so the
 * override exists exactly when an approver approved it.
 */
@Component
public class ApproveAgentRequestHandler implements JobHandler {

  public static final String JOB_TYPE = "approve-agent-request";

  /** The completion variable that carries the approver's decision. */
  static final String DECISION = "approved";

  private static final Logger log = LoggerFactory.getLogger(ApproveAgentRequestHandler.class);

  private final ApprovalPolicy policy;
  private final AgentCapacity capacity;
  private final CapacityOverrides overrides;
  private final Clock clock;

  @Autowired
  public ApproveAgentRequestHandler(
      ApprovalPolicy policy, AgentCapacity capacity, CapacityOverrides overrides) {
    this(policy, capacity, overrides, Clock.systemUTC());
  }

  ApproveAgentRequestHandler(
      ApprovalPolicy policy, AgentCapacity capacity, CapacityOverrides overrides, Clock clock) {
    this.policy = policy;
    this.capacity = capacity;
    this.overrides = overrides;
    this.clock = clock;
  }

  @Override
  public String jobType() {
    return JOB_TYPE;
  }

  @Override
  public List<String> fetchVariables() {
    List<String> variables = new ArrayList<>(ApprovalRequest.VARIABLES);
    variables.add(DECISION);
    return List.copyOf(variables);
  }

  @Override
  public JobOutcome handle(ActivatedJob job) {
    UserTaskProperties task = job.getUserTask();
    ListenerEventType eventType = job.getListenerEventType();
    if (task == null
        || (eventType != ListenerEventType.ASSIGNING
            && eventType != ListenerEventType.COMPLETING)) {
      // A modelling mistake, not a decision: an incident shows it to whoever deployed the model.
      return JobOutcome.Fail.incident(
          "Job type '%s' serves the assigning and completing listeners of a user task, but this job is %s. Use it only in zeebe:taskListener elements with eventType assigning or completing."
              .formatted(
                  JOB_TYPE,
                  task == null
                      ? "not a user task listener job"
                      : "a '%s' listener job".formatted(eventType)));
    }
    ApprovalRequest request = ApprovalRequest.read(JobVariables.of(job.getVariablesAsMap()));
    Object decision = job.getVariablesAsMap().get(DECISION);
    UserTaskResult result =
        eventType == ListenerEventType.ASSIGNING
            ? decide(
                new ListenerEvent.Assigning(
                    request,
                    task.getAssignee(),
                    Optional.ofNullable(task.getCandidateGroups()).orElse(List.of()),
                    Optional.ofNullable(task.getPriority()),
                    Optional.ofNullable(task.getDueDate())))
            : completing(request, task.getAssignee(), decision);
    if (eventType == ListenerEventType.COMPLETING
        && !result.denied()
        && Boolean.TRUE.equals(decision)) {
      overrides.grant(
          String.valueOf(task.getUserTaskKey()),
          request,
          policy.overrideLimit(request.clusterProfileId()));
    }
    log.info(
        "{} {} of user task {} (job {}){}",
        result.denied() ? "Denied" : "Approved",
        eventType.name().toLowerCase(Locale.ROOT),
        task.getUserTaskKey(),
        job.getKey(),
        result.denied() ? ": " + result.deniedReason() : "");
    return JobOutcome.completeUserTask(result);
  }

  private UserTaskResult completing(ApprovalRequest request, String assignee, Object decision) {
    if (decision != null && !(decision instanceof Boolean)) {
      // The approver typed it: let them correct it rather than raise an incident.
      return UserTaskResult.deny(
          "'%s' must be true (approve) or false (reject)".formatted(DECISION));
    }
    // No decision at all rejects: nothing is created unless someone says so.
    return decide(new ListenerEvent.Completing(request, assignee, Boolean.TRUE.equals(decision)));
  }

  private UserTaskResult decide(ListenerEvent event) {
    return policy.decide(event, capacity, clock.instant());
  }
}
