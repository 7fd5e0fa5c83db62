/**
 * The Zeebe job handlers of the agent lifecycle ({@code create-agent}, {@code job-completion},
 * {@code terminate-agent}, {@code cleanup-agents}): the only agent code that sees Camunda's client
 * types. They read the jobs' variables and hand the lifecycle its requests.
 */
package dev.elasticagents.agent.jobs;
