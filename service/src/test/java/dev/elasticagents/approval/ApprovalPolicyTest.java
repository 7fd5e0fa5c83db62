package dev.elasticagents.approval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.runtime.UserTaskResult;
import dev.elasticagents.runtime.UserTaskResult.Corrections;
import dev.elasticagents.testing.ApprovalPolicies;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The approval policy of {@link ApprovalPolicies#PRODUCTION_AND_DEFAULTS}: production is decided by
 * alice, other environments by carol.
 */
class ApprovalPolicyTest {

  private static final Instant NOW = Instant.parse("2026-11-23T09:15:30Z");
  private static final Optional<Long> JOB = Optional.of(4711L);
  private static final ApprovalRequest PRODUCTION =
      new ApprovalRequest(
          "production", Map.of("region", "us-east-1", "ami-id", "ami-c79d704a"), "default", JOB);
  private static final ApprovalRequest STAGING =
      new ApprovalRequest(
          "staging", Map.of("image", "gocd/gocd-agent-debian-12:v25.1.0"), "default", JOB);
  private static final AgentCapacity IDLE = profile -> 0;

  private final ApprovalPolicy policy =
      new ApprovalPolicy(ApprovalPolicies.bind(ApprovalPolicies.PRODUCTION_AND_DEFAULTS));

  @Nested
  class Assigning {

    @Test
    void anApproverOfTheEnvironmentMayBeAssigned() {
      assertThat(assign(PRODUCTION, "alice").denied()).isFalse();
    }

    @Test
    void someoneOutsideTheEnvironmentsApproverGroupsIsNotAssigned() {
      UserTaskResult result = assign(PRODUCTION, "carol");

      assertThat(result.denied()).isTrue();
      assertThat(result.deniedReason())
          .isEqualTo(
              "'carol' cannot be assigned this task: only members of production-approvers decide on"
                  + " elastic agent requests for environment 'production'. Assign it to one of"
                  + " them.");
    }

    @Test
    void anEnvironmentWithoutItsOwnPolicyIsDecidedByTheDefaultApproverGroup() {
      assertThat(assign(STAGING, "carol").denied()).isFalse();
      assertThat(assign(STAGING, "alice").denied()).isTrue();
    }

    @Test
    void aRequestWithoutAnEnvironmentIsDecidedByTheDefaultApproverGroup() {
      UserTaskResult result = assign(new ApprovalRequest("", Map.of(), "default", JOB), "alice");

      assertThat(result.deniedReason())
          .contains("agent-approvers", "requests without an environment");
    }

    @Test
    void givingTheTaskBackIsAlwaysAllowed() {
      assertThat(assign(PRODUCTION, "")).isEqualTo(UserTaskResult.approve(Corrections.NONE));
    }

    @Test
    void anApprovedAssignmentMakesTheApproverGroupsTheCandidateGroups() {
      assertThat(assign(PRODUCTION, "alice").corrections().candidateGroups())
          .contains(List.of("production-approvers"));
    }

    @Test
    void candidateGroupsThatAlreadyAreTheApproverGroupsAreLeftAlone() {
      UserTaskResult result =
          policy.decide(
              new ListenerEvent.Assigning(
                  PRODUCTION,
                  "alice",
                  List.of("production-approvers"),
                  Optional.of(80),
                  Optional.empty()),
              IDLE,
              NOW);

      assertThat(result.corrections().candidateGroups()).isEmpty();
      assertThat(result.corrections().priority()).isEmpty();
    }

    @Test
    void anApprovedAssignmentGivesTheTaskTheEnvironmentsPriority() {
      assertThat(assign(PRODUCTION, "alice").corrections().priority()).contains(80);
    }

    @Test
    void theFirstApprovedAssignmentSetsTheDueDateCountedFromNow() {
      assertThat(assign(PRODUCTION, "alice").corrections().dueDate())
          .contains("2026-11-23T13:15:30Z");
    }

    @Test
    void aReassignmentKeepsTheDueDateItHas() {
      UserTaskResult result =
          policy.decide(
              new ListenerEvent.Assigning(
                  PRODUCTION,
                  "alice",
                  List.of(),
                  Optional.of(50),
                  Optional.of(OffsetDateTime.parse("2026-11-23T11:00:00Z"))),
              IDLE,
              NOW);

      assertThat(result.corrections().dueDate()).isEmpty();
    }

    @Test
    void anEnvironmentThatConfiguresNoCorrectionsLeavesTheTaskAsItIs() {
      UserTaskResult result =
          policy.decide(
              new ListenerEvent.Assigning(
                  STAGING, "carol", List.of("agent-approvers"), Optional.of(50), Optional.empty()),
              IDLE,
              NOW);

      assertThat(result).isEqualTo(UserTaskResult.approve(Corrections.NONE));
    }

    private UserTaskResult assign(ApprovalRequest request, String assignee) {
      return policy.decide(
          new ListenerEvent.Assigning(
              request, assignee, List.of("agent-approvers"), Optional.of(50), Optional.empty()),
          IDLE,
          NOW);
    }
  }

  @Nested
  class Completing {

    @Test
    void anApprovalWithinThePolicyIsLetThrough() {
      assertThat(approve(PRODUCTION, "alice", IDLE))
          .isEqualTo(UserTaskResult.approve(Corrections.NONE));
    }

    @Test
    void aTaskWithoutAssigneeCannotBeCompleted() {
      UserTaskResult result = approve(PRODUCTION, "", IDLE);

      assertThat(result.deniedReason())
          .isEqualTo(
              "This task has no assignee: assign it to a member of production-approvers, who then"
                  + " decides on it.");
    }

    @Test
    void onlyAnApproverOfTheEnvironmentMayDecide() {
      UserTaskResult result = approve(PRODUCTION, "carol", IDLE);

      assertThat(result.deniedReason())
          .isEqualTo(
              "'carol' cannot decide on this request: only members of production-approvers decide"
                  + " on elastic agent requests for environment 'production'.");
    }

    @Test
    void aRejectionIsLetThroughWhateverTheRequest() {
      ApprovalRequest disallowed =
          new ApprovalRequest("production", Map.of("region", "ap-south-1"), "default", JOB);

      UserTaskResult result =
          policy.decide(
              new ListenerEvent.Completing(disallowed, "alice", false), profile -> 99, NOW);

      assertThat(result).isEqualTo(UserTaskResult.approve(Corrections.NONE));
    }

    @Test
    void aPropertyValueThatMatchesNoAllowedPatternIsDeniedNamingThePropertyButNotTheValue() {
      ApprovalRequest request =
          new ApprovalRequest(
              "production",
              Map.of("region", "ap-south-1", "ami-id", "ami-c79d704a"),
              "default",
              JOB);

      UserTaskResult result = approve(request, "alice", IDLE);

      assertThat(result.deniedReason())
          .isEqualTo(
              "This request cannot be approved: the elastic agent profile property 'region' has a"
                  + " value that is not allowed for environment 'production' (allowed: us-east-1,"
                  + " eu-west-1). Complete the task with approved = false to reject it.")
          .doesNotContain("ap-south-1");
    }

    @Test
    void anAllowedPatternMustMatchTheWholeValue() {
      ApprovalRequest request =
          new ApprovalRequest("production", Map.of("region", "us-east-1-shadow"), "default", JOB);

      assertThat(approve(request, "alice", IDLE).denied()).isTrue();
    }

    @Test
    void propertyNamesMatchTheirRuleRegardlessOfCase() {
      ApprovalRequest request =
          new ApprovalRequest("production", Map.of("Region", "ap-south-1"), "default", JOB);

      assertThat(approve(request, "alice", IDLE).deniedReason()).contains("'Region'");
    }

    @Test
    void aPropertyWithoutARuleIsNotRestricted() {
      ApprovalRequest request =
          new ApprovalRequest(
              "production", Map.of("instance-type", "x1e.32xlarge"), "default", JOB);

      assertThat(approve(request, "alice", IDLE).denied()).isFalse();
    }

    @Test
    void anApprovalIsDeniedOnceTheClusterProfileRunsAsManyAgentsAsAnOverrideMayBringItTo() {
      UserTaskResult result = approve(PRODUCTION, "alice", profile -> 10);

      assertThat(result.deniedReason())
          .isEqualTo(
              "This request cannot be approved: the cluster profile 'default' is at capacity: 10"
                  + " agent(s) run there, and an approved override may bring it to 10 at most."
                  + " Complete the task with approved = false to reject it.");
    }

    @Test
    void anApprovalIsLetThroughWhileTheClusterProfileIsBelowItsLimit() {
      assertThat(approve(PRODUCTION, "alice", profile -> 9).denied()).isFalse();
    }

    @Test
    void aClusterProfileWithItsOwnLimitIsMeasuredAgainstIt() {
      ApprovalRequest onK8s = new ApprovalRequest("production", Map.of(), "k8s-eu", JOB);

      assertThat(approve(onK8s, "alice", profile -> 49).denied()).isFalse();
      assertThat(approve(onK8s, "alice", profile -> 50).denied()).isTrue();
    }

    @Test
    void theCapacityOfTheRequestsOwnClusterProfileIsAsked() {
      ApprovalRequest onK8s = new ApprovalRequest("production", Map.of(), "k8s-eu", JOB);

      assertThat(approve(onK8s, "alice", profile -> profile.equals("k8s-eu") ? 50 : 0).denied())
          .isTrue();
    }

    @Test
    void aRequestThatNamesNoGoCdJobCannotBeApprovedAsAnOverrideCouldNotBeTiedToIt() {
      ApprovalRequest withoutJob =
          new ApprovalRequest(
              "production", Map.of("region", "us-east-1"), "default", Optional.empty());

      assertThat(approve(withoutJob, "alice", IDLE).deniedReason())
          .isEqualTo(
              "This request cannot be approved: it names no GoCD job ('job_identifier'), so an"
                  + " override could not be tied to one. Complete the task with approved = false to"
                  + " reject it.");
    }

    @Test
    void oneDenialNamesEveryRuleTheApprovalBreaks() {
      ApprovalRequest request =
          new ApprovalRequest(
              "production", Map.of("region", "ap-south-1", "ami-id", "ubuntu"), "default", JOB);

      assertThat(approve(request, "alice", profile -> 10).deniedReason())
          .contains(
              "property 'ami-id'", "property 'region'", "cluster profile 'default' is at capacity");
    }

    private UserTaskResult approve(
        ApprovalRequest request, String assignee, AgentCapacity capacity) {
      return policy.decide(new ListenerEvent.Completing(request, assignee, true), capacity, NOW);
    }
  }
}
