package dev.elasticagents.agent.registry;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A busy agent with a job, as GoCD's view of it is judged: what GoCD's server-pings showed of it
 * (see {@link AgentRegistry#busyAgents()}).
 */
public record BusyAgent(
    String id,
    long version,
    String jobKey,
    Optional<String> assignment,
    Instant createdAt,
    Duration autoRegisterTimeout,
    Optional<Instant> goCdIdleSince,
    boolean repaired) {}
