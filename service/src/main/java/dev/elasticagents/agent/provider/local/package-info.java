/**
 * The {@code local} provider, chosen by {@code elastic-agents.provider: local}: agents as
 * operating-system processes, each in a directory of its own ({@code elastic-agents.local.*}).
 */
package dev.elasticagents.agent.provider.local;
