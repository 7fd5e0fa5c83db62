package dev.elasticagents.agent.lifecycle;

import dev.elasticagents.agent.Deadlines;
import dev.elasticagents.agent.GoCdAgent;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.agent.registry.BusyAgent;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs job-completions GoCD sent once and the service never got: GoCD's agent list is the truth
 * for completions. A busy agent that GoCD shows idle (or, once it is past its auto-register
 * timeout, does not list at all) on two server-pings at least a grace apart is released as its
 * job-completion would have released it: its lifecycle gets the job-completed message, recorded
 * with the repair; an agent no lifecycle holds is released directly. Each repair is logged once and
 * counted.
 */
final class CompletionRepair {

  private static final Logger log = LoggerFactory.getLogger(CompletionRepair.class);

  private final AgentRegistry registry;
  private final AgentLifecycle lifecycle;
  private final Duration grace;
  private final MeterRegistry meters;

  CompletionRepair(
      AgentRegistry registry, AgentLifecycle lifecycle, Duration grace, MeterRegistry meters) {
    this.registry = registry;
    this.lifecycle = lifecycle;
    this.grace = grace;
    this.meters = meters;
  }

  /** Judges one busy agent by GoCD's list; the repair made, if this ping made one. */
  Optional<AgentCleanup.Cleanup> judge(BusyAgent agent, List<GoCdAgent> listed, Instant now) {
    Optional<GoCdAgent> inGoCd =
        listed.stream().filter(goCd -> goCd.id().equals(agent.id())).findFirst();
    if (inGoCd.isPresent()
        ? !inGoCd.get().idle()
        : Deadlines.after(agent.createdAt(), agent.autoRegisterTimeout()).isAfter(now)) {
      if (agent.goCdIdleSince().isPresent()) {
        registry.noteGoCdBuilding(agent);
      }
      return Optional.empty();
    }
    if (agent.repaired()) {
      return Optional.empty();
    }
    if (agent.goCdIdleSince().isEmpty()) {
      registry.noteGoCdIdle(agent);
      return Optional.empty();
    }
    Duration shown = Duration.between(agent.goCdIdleSince().get(), now);
    if (shown.compareTo(grace) < 0) {
      return Optional.empty();
    }
    String reason =
        "GoCD %s for %s while it was busy for job %s: its job-completion was lost"
            .formatted(
                inGoCd.isPresent() ? "listed it idle" : "did not list it", shown, agent.jobKey());
    if (!repair(agent, reason)) {
      return Optional.empty();
    }
    log.warn("Repaired the job-completion of agent {}: {}", agent.id(), reason);
    meters
        .counter(
            "elastic.agents.completions.repaired",
            "listed",
            inGoCd.isPresent() ? "idle" : "unlisted")
        .increment();
    return Optional.of(new AgentCleanup.Cleanup(agent.id(), reason));
  }

  private boolean repair(BusyAgent agent, String reason) {
    boolean heldByGoCdAlone =
        agent.assignment().filter(a -> a.startsWith(AgentRegistry.ASSIGNED_BY_GOCD)).isPresent();
    if (heldByGoCdAlone) {
      // No lifecycle waits for it: released as GoCD's job-completion releases it, under the same
      // record.
      return lifecycle
          .releaseUnadopted(agent.id(), Long.parseLong(agent.jobKey()))
          .filter(d -> !d.replayed())
          .isPresent();
    }
    return registry.repairCompletion(agent, reason);
  }
}
