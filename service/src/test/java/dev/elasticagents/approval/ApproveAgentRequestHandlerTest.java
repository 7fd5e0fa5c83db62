package dev.elasticagents.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.elasticagents.gocd.testing.GoCdBody;
import dev.elasticagents.runtime.InvalidJobVariablesException;
import dev.elasticagents.runtime.JobOutcome;
import dev.elasticagents.runtime.UserTaskResult;
import dev.elasticagents.testing.ApprovalPolicies;
import dev.elasticagents.testing.ListenerJobs;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The listener handler reads each job as an 8.8 gateway delivers it and decides by the policy. */
class ApproveAgentRequestHandlerTest {

  private static final Map<String, Object> PRODUCTION_REQUEST =
      GoCdBody.createAgentV1()
          .with("properties", Map.of("region", "us-east-1"))
          .withJobIdentifier(GoCdBody.jobIdentifier(4711))
          .toMap();

  private final AtomicInteger runningAgents = new AtomicInteger();
  private final List<String> grants = new ArrayList<>();
  private final ApproveAgentRequestHandler handler =
      new ApproveAgentRequestHandler(
          new ApprovalPolicy(ApprovalPolicies.bind(ApprovalPolicies.PRODUCTION_AND_DEFAULTS)),
          profile -> runningAgents.get(),
          (approval, request, limit) ->
              grants.add(
                  "%s job %s of %s up to %d"
                      .formatted(
                          approval,
                          request.jobId().orElseThrow(),
                          request.clusterProfileId(),
                          limit)),
          Clock.fixed(Instant.parse("2026-11-23T09:15:30Z"), ZoneOffset.UTC));

  @Test
  void subscribesToTheListenerJobType() {
    assertThat(handler.jobType()).isEqualTo("approve-agent-request");
  }

  @Test
  void anAssigningJobIsDecidedForTheAssigneeItsUserTaskIsBeingAssignedTo() {
    UserTaskResult result =
        result(handler.handle(ListenerJobs.assigning("mallory", List.of(), PRODUCTION_REQUEST)));

    assertThat(result.deniedReason()).startsWith("'mallory' cannot be assigned this task");
  }

  @Test
  void aCompletingJobTakesTheDecisionFromTheCompletionVariables() {
    UserTaskResult result =
        result(
            handler.handle(
                ListenerJobs.completing("alice", with(PRODUCTION_REQUEST, "approved", false))));

    assertThat(result).isEqualTo(UserTaskResult.approve(UserTaskResult.Corrections.NONE));
  }

  @Test
  void aCompletionWithoutDecisionIsARejection() {
    runningAgents.set(99);

    UserTaskResult result =
        result(handler.handle(ListenerJobs.completing("alice", PRODUCTION_REQUEST)));

    assertThat(result.denied()).isFalse();
  }

  @Test
  void aDecisionThatIsNotTrueOrFalseIsDeniedSoTheApproverCanCorrectIt() {
    UserTaskResult result =
        result(
            handler.handle(
                ListenerJobs.completing("alice", with(PRODUCTION_REQUEST, "approved", "yes"))));

    assertThat(result.deniedReason())
        .isEqualTo("'approved' must be true (approve) or false (reject)");
  }

  @Test
  void aCompletingJobIsMeasuredAgainstTheAgentRegistry() {
    runningAgents.set(10);

    UserTaskResult result =
        result(
            handler.handle(
                ListenerJobs.completing("alice", with(PRODUCTION_REQUEST, "approved", true))));

    assertThat(result.deniedReason()).contains("cluster profile 'default' is at capacity");
  }

  @Test
  void anApprovedCompletionRecordsTheOverrideForTheRequestsJobUnderItsUserTask() {
    UserTaskResult result =
        result(
            handler.handle(
                ListenerJobs.completing("alice", with(PRODUCTION_REQUEST, "approved", true))));

    assertThat(result.denied()).isFalse();
    assertThat(grants)
        .containsExactly(ListenerJobs.USER_TASK_KEY + " job 4711 of default up to 10");
  }

  @Test
  void aRejectionADeniedApprovalAndAnAssignmentRecordNoOverride() {
    handler.handle(ListenerJobs.completing("alice", with(PRODUCTION_REQUEST, "approved", false)));
    handler.handle(ListenerJobs.completing("mallory", with(PRODUCTION_REQUEST, "approved", true)));
    handler.handle(ListenerJobs.assigning("alice", List.of(), PRODUCTION_REQUEST));
    runningAgents.set(10);
    handler.handle(ListenerJobs.completing("alice", with(PRODUCTION_REQUEST, "approved", true)));

    assertThat(grants).isEmpty();
  }

  @Test
  void fetchesTheRequestAndTheDecisionButNeverTheAutoRegisterKey() {
    assertThat(handler.fetchVariables())
        .contains(
            "environment",
            "properties",
            "elastic_agent_profile_properties",
            "cluster_profile_properties",
            "job_identifier",
            "approved")
        .doesNotContain("auto_register_key");
  }

  @Test
  void aJobThatIsNotAUserTaskListenerRaisesAnIncidentSayingWhereTheJobTypeBelongs() {
    JobOutcome outcome = handler.handle(ListenerJobs.serviceTask(PRODUCTION_REQUEST));

    assertThat(outcome)
        .isInstanceOfSatisfying(
            JobOutcome.Fail.class,
            fail -> {
              assertThat(fail.retries()).isZero();
              assertThat(fail.message())
                  .contains(
                      "'approve-agent-request' serves the assigning and completing listeners of a"
                          + " user task")
                  .contains("not a user task listener job");
            });
  }

  @Test
  void malformedRequestVariablesRaiseAnIncidentNamingTheVariables() {
    assertThatThrownBy(
            () ->
                handler.handle(
                    ListenerJobs.completing("alice", Map.of("properties", "ami-c79d704a"))))
        .isInstanceOf(InvalidJobVariablesException.class)
        .hasMessageContaining("'properties' must be an object of string values, but is a string")
        .hasMessageNotContaining("ami-c79d704a");
  }

  @Test
  void theCompletionCarriesNoVariables() {
    JobOutcome outcome =
        handler.handle(
            ListenerJobs.completing("alice", with(PRODUCTION_REQUEST, "approved", true)));

    assertThat(outcome)
        .isInstanceOfSatisfying(
            JobOutcome.Complete.class, complete -> assertThat(complete.variables()).isEmpty());
  }

  private static UserTaskResult result(JobOutcome outcome) {
    assertThat(outcome).isInstanceOf(JobOutcome.Complete.class);
    Optional<UserTaskResult> result = ((JobOutcome.Complete) outcome).userTaskResult();
    assertThat(result).isPresent();
    return result.get();
  }

  private static Map<String, Object> with(
      Map<String, Object> variables, String name, Object value) {
    Map<String, Object> copy = new HashMap<>(variables);
    copy.put(name, value);
    return copy;
  }
}
