/**
 * The generic job worker runtime: handlers, outcomes sent over REST, variable reading, problem
 * classes and policies, and the workers' lifecycle. It knows nothing of agents.
 */
package dev.elasticagents.runtime;
