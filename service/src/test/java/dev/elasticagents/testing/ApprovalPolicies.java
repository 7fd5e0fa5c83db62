package dev.elasticagents.testing;

import dev.elasticagents.approval.ApprovalProperties;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Approval configuration for tests, bound from properties as the application binds it. */
public final class ApprovalPolicies {

  /**
   * Production is decided by alice (production-approvers) with restricted properties, a priority
   * and a due date; every other environment by carol (agent-approvers, the default group).
   */
  public static final Map<String, String> PRODUCTION_AND_DEFAULTS =
      Map.ofEntries(
          Map.entry("approvals.groups.production-approvers[0]", "alice"),
          Map.entry("approvals.groups.agent-approvers[0]", "carol"),
          Map.entry("approvals.environments.production.approver-groups[0]", "production-approvers"),
          Map.entry("approvals.environments.production.allowed-properties.region[0]", "us-east-1"),
          Map.entry("approvals.environments.production.allowed-properties.region[1]", "eu-west-1"),
          Map.entry(
              "approvals.environments.production.allowed-properties.ami-id[0]", "ami-[0-9a-f]{8}"),
          Map.entry("approvals.environments.production.priority", "80"),
          Map.entry("approvals.environments.production.due-in", "PT4H"),
          Map.entry("approvals.max-running-agents", "10"),
          Map.entry("approvals.cluster-profiles.k8s-eu.max-running-agents", "50"));

  private ApprovalPolicies() {}

  public static ApprovalProperties bind(Map<String, String> properties) {
    return new Binder(new MapConfigurationPropertySource(properties))
        .bindOrCreate("approvals", ApprovalProperties.class);
  }
}
