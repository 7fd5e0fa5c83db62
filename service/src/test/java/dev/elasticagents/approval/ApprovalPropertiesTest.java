package dev.elasticagents.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.elasticagents.testing.ApprovalPolicies;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;

class ApprovalPropertiesTest {

  @Test
  void withoutConfigurationTheAgentApproversGroupDecidesOnEveryEnvironment() {
    ApprovalProperties properties = ApprovalPolicies.bind(Map.of());

    assertThat(properties.policyFor("production").approverGroups())
        .containsExactly("agent-approvers");
    assertThat(properties.policyFor("production").allowedProperties()).isEmpty();
    assertThat(properties.policyFor("production").priority()).isNull();
    assertThat(properties.policyFor("production").dueIn()).isNull();
  }

  @Test
  void withoutConfigurationAnOverrideMayBringAClusterProfileToTenAgents() {
    assertThat(ApprovalPolicies.bind(Map.of()).maxRunningAgents("default")).isEqualTo(10);
  }

  @Test
  void anEnvironmentTakesWhatItLeavesOutFromTheDefaults() {
    ApprovalProperties properties =
        ApprovalPolicies.bind(
            Map.of(
                "approvals.defaults.priority", "60",
                "approvals.defaults.due-in", "PT8H",
                "approvals.defaults.allowed-properties.region[0]", "eu-.*",
                "approvals.environments.production.approver-groups[0]", "production-approvers",
                "approvals.environments.production.allowed-properties.image[0]", "gocd/.*"));

    ApprovalProperties.EnvironmentPolicy production = properties.policyFor("production");

    assertThat(production.approverGroups()).containsExactly("production-approvers");
    assertThat(production.priority()).isEqualTo(60);
    assertThat(production.dueIn()).isEqualTo(Duration.ofHours(8));
    assertThat(production.allowedProperties())
        .containsOnly(
            Map.entry("region", List.of("eu-.*")), Map.entry("image", List.of("gocd/.*")));
  }

  @Test
  void aClusterProfileWithoutItsOwnLimitTakesTheDefaultLimit() {
    ApprovalProperties properties =
        ApprovalPolicies.bind(
            Map.of(
                "approvals.max-running-agents", "4",
                "approvals.cluster-profiles.k8s-eu.max-running-agents", "50"));

    assertThat(properties.maxRunningAgents("k8s-eu")).isEqualTo(50);
    assertThat(properties.maxRunningAgents("default")).isEqualTo(4);
  }

  @Test
  void anEnvironmentsPolicyAppliesWhateverTheCaseOfItsNameInGoCd() {
    // Bound from APPROVALS_ENVIRONMENTS_PRODUCTION_APPROVERGROUPS_0 the key arrives in lower case.
    ApprovalProperties properties =
        ApprovalPolicies.bind(
            Map.of("approvals.environments.production.approver-groups[0]", "production-approvers"));

    assertThat(properties.policyFor("Production").approverGroups())
        .containsExactly("production-approvers");
    assertThat(properties.policyFor("PRODUCTION").approverGroups())
        .containsExactly("production-approvers");
  }

  @Test
  void aClusterProfilesLimitAppliesWhateverTheCaseOfItsId() {
    ApprovalProperties properties =
        ApprovalPolicies.bind(
            Map.of(
                "approvals.max-running-agents", "40",
                "approvals.cluster-profiles.k8s-eu.max-running-agents", "5"));

    assertThat(properties.maxRunningAgents("K8s-EU")).isEqualTo(5);
  }

  @Test
  void twoEnvironmentsWhoseNamesDifferOnlyInCaseStopTheService() {
    assertThatThrownBy(
            () ->
                ApprovalPolicies.bind(
                    Map.of(
                        "approvals.environments.production.priority", "10",
                        "approvals.environments.[Production].priority", "90")))
        .isInstanceOf(BindException.class)
        .rootCause()
        .hasMessageContaining("approvals.environments names '")
        .hasMessageContaining("twice (names match regardless of case)");
  }

  @Test
  void aUserBelongsToTheGroupsThatListThem() {
    ApprovalProperties properties =
        ApprovalPolicies.bind(Map.of("approvals.groups.production-approvers[0]", "alice"));

    assertThat(properties.isMember("alice", List.of("agent-approvers", "production-approvers")))
        .isTrue();
    assertThat(properties.isMember("alice", List.of("agent-approvers"))).isFalse();
  }

  @Test
  void anInvalidRegularExpressionStopsTheServiceNamingTheProperty() {
    assertThatThrownBy(
            () ->
                ApprovalPolicies.bind(
                    Map.of(
                        "approvals.environments.production.allowed-properties.region[0]", "eu-(")))
        .isInstanceOf(BindException.class)
        .rootCause()
        .hasMessageContaining("allowed-properties.region has an invalid regular expression");
  }

  @Test
  void aPriorityOutsideZeroToAHundredStopsTheService() {
    assertThatThrownBy(() -> ApprovalPolicies.bind(Map.of("approvals.defaults.priority", "101")))
        .isInstanceOf(BindException.class)
        .rootCause()
        .hasMessageContaining("priority must be between 0 and 100");
  }
}
