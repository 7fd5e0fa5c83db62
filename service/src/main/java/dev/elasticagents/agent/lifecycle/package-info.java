/**
 * The decisions of the agent lifecycle: create, reuse or decline an agent, release, terminate and
 * clean up agents, reconcile the registry with the provider at start-up and repair lost
 * job-completions, each recorded through the registry; and the publishing of lifecycle messages.
 */
package dev.elasticagents.agent.lifecycle;
