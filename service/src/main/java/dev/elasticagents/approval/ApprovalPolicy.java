package dev.elasticagents.approval;

import dev.elasticagents.approval.ApprovalProperties.EnvironmentPolicy;
import dev.elasticagents.runtime.UserTaskResult;
import dev.elasticagents.runtime.UserTaskResult.Corrections;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Decides whether an approval task may be assigned or completed. Only approvers of the request's
 * environment may be assigned the task and decide on it; an approval (not a rejection) must also
 * keep to the allowed profile properties and the cluster profile's capacity. Denial reasons are
 * shown to the user, so they say what to do.
 */
@Component
public class ApprovalPolicy {

  private final ApprovalProperties properties;

  public ApprovalPolicy(ApprovalProperties properties) {
    this.properties = properties;
  }

  /**
   * Decides on one transition.
   *
   * @param capacity the agent registry, empty when none is available: the capacity rule is then
   *     skipped
   * @param now when the transition happens, for due dates
   */
  public UserTaskResult decide(ListenerEvent event, AgentCapacity capacity, Instant now) {
    EnvironmentPolicy policy = properties.policyFor(event.request().environment());
    return switch (event) {
      case ListenerEvent.Assigning assigning -> assigning(assigning, policy, now);
      case ListenerEvent.Completing completing -> completing(completing, policy, capacity);
    };
  }

  private UserTaskResult assigning(
      ListenerEvent.Assigning event, EnvironmentPolicy policy, Instant now) {
    if (event.assignee().isBlank()) {
      // Giving the task back is always allowed: it does not decide anything.
      return UserTaskResult.approve(Corrections.NONE);
    }
    if (!properties.isMember(event.assignee(), policy.approverGroups())) {
      return UserTaskResult.deny(
          "'%s' cannot be assigned this task: only members of %s decide on elastic agent requests for %s. Assign it to one of them."
              .formatted(event.assignee(), groups(policy), where(event.request())));
    }
    return UserTaskResult.approve(corrections(event, policy, now));
  }

  /** Corrects only what differs, so that an approved assignment changes no more than needed. */
  private static Corrections corrections(
      ListenerEvent.Assigning event, EnvironmentPolicy policy, Instant now) {
    Optional<List<String>> candidateGroups =
        new HashSet<>(event.candidateGroups()).equals(new HashSet<>(policy.approverGroups()))
            ? Optional.empty()
            : Optional.of(policy.approverGroups());
    Optional<Integer> priority =
        Optional.ofNullable(policy.priority())
            .filter(wanted -> !event.priority().equals(Optional.of(wanted)));
    // The first approved assignment starts the clock; a reassignment keeps the deadline.
    Optional<String> dueDate =
        Optional.ofNullable(policy.dueIn())
            .filter(dueIn -> event.dueDate().isEmpty())
            .map(
                dueIn ->
                    DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                        now.plus(dueIn).truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC)));
    return new Corrections(
        Optional.empty(), dueDate, Optional.empty(), Optional.empty(), candidateGroups, priority);
  }

  private UserTaskResult completing(
      ListenerEvent.Completing event, EnvironmentPolicy policy, AgentCapacity capacity) {
    if (event.assignee().isBlank()) {
      return UserTaskResult.deny(
          "This task has no assignee: assign it to a member of %s, who then decides on it."
              .formatted(groups(policy)));
    }
    if (!properties.isMember(event.assignee(), policy.approverGroups())) {
      return UserTaskResult.deny(
          "'%s' cannot decide on this request: only members of %s decide on elastic agent requests for %s."
              .formatted(event.assignee(), groups(policy), where(event.request())));
    }
    if (!event.approved()) {
      // A rejection creates nothing, so no rule can stand in its way.
      return UserTaskResult.approve(Corrections.NONE);
    }
    List<String> violations = new ArrayList<>();
    if (event.request().jobId().isEmpty()) {
      violations.add(
          "it names no GoCD job ('job_identifier'), so an override could not be tied to one");
    }
    violations.addAll(propertyViolations(event.request(), policy));
    capacityViolation(event.request(), capacity).ifPresent(violations::add);
    if (violations.isEmpty()) {
      return UserTaskResult.approve(Corrections.NONE);
    }
    return UserTaskResult.deny(
        "This request cannot be approved: %s. Complete the task with approved = false to reject it."
            .formatted(String.join("; ", violations)));
  }

  private static List<String> propertyViolations(
      ApprovalRequest request, EnvironmentPolicy policy) {
    List<String> violations = new ArrayList<>();
    request.profileProperties().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            property ->
                allowedPatterns(policy, property.getKey())
                    .filter(
                        patterns ->
                            patterns.stream().noneMatch(p -> matches(p, property.getValue())))
                    .ifPresent(
                        patterns ->
                            // The value may be anything the requester typed: name the property
                            // only.
                            violations.add(
                                "the elastic agent profile property '%s' has a value that is not allowed for %s (allowed: %s)"
                                    .formatted(
                                        property.getKey(),
                                        where(request),
                                        String.join(", ", patterns)))));
    return violations;
  }

  private static Optional<List<String>> allowedPatterns(EnvironmentPolicy policy, String property) {
    // Property names bound from environment variables lose their case.
    return policy.allowedProperties().entrySet().stream()
        .filter(
            entry ->
                entry.getKey().toLowerCase(Locale.ROOT).equals(property.toLowerCase(Locale.ROOT)))
        .map(Map.Entry::getValue)
        .findFirst();
  }

  private static boolean matches(String pattern, String value) {
    return Pattern.compile(pattern).matcher(value).matches();
  }

  /** The most agents an override approved for this cluster profile may bring it to. */
  public int overrideLimit(String clusterProfileId) {
    return properties.maxRunningAgents(clusterProfileId);
  }

  private Optional<String> capacityViolation(ApprovalRequest request, AgentCapacity capacity) {
    String profile = request.clusterProfileId();
    int limit = properties.maxRunningAgents(profile);
    int running = capacity.runningAgents(profile);
    if (running < limit) {
      return Optional.empty();
    }
    return Optional.of(
        "the cluster profile '%s' is at capacity: %d agent(s) run there, and an approved override may bring it to %d at most"
            .formatted(profile, running, limit));
  }

  private static String groups(EnvironmentPolicy policy) {
    return policy.approverGroups().isEmpty()
        ? "no group (no approver group is configured)"
        : String.join(", ", policy.approverGroups());
  }

  private static String where(ApprovalRequest request) {
    return request.environment().isBlank()
        ? "requests without an environment"
        : "environment '%s'".formatted(request.environment());
  }
}
