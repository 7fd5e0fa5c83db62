/**
 * The vocabulary of elastic agents and the provider SPI ({@link AgentProvider}): agents, their
 * states and moves, GoCD's requests, profiles and decisions as values. Depends on none of its
 * subpackages, which build on it one way down: jobs on lifecycle on registry on this package, and
 * each provider on this package alone.
 */
package dev.elasticagents.agent;
