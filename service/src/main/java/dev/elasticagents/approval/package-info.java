/**
 * Approvals of elastic agent requests that need a capacity override: the policy, its configuration
 * and the handler of the user task listeners.
 */
package dev.elasticagents.approval;
