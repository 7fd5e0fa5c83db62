/**
 * The {@code kubernetes} provider, chosen by {@code elastic-agents.provider: kubernetes}: agents as
 * pods ({@code elastic-agents.kubernetes.*}), and a pod watcher that ends the agents of pods that
 * failed, exited or vanished.
 */
package dev.elasticagents.agent.provider.kubernetes;
