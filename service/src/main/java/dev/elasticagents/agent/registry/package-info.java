/**
 * The durable registry of agents, recorded decisions, capacity grants and lifecycle messages: the
 * only code that runs SQL or transactions, behind {@link AgentRegistry} and the read-only {@link
 * RegistryReports}.
 */
package dev.elasticagents.agent.registry;
