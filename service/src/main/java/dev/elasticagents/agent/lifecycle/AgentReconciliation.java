package dev.elasticagents.agent.lifecycle;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentProvider;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.Deadlines;
import dev.elasticagents.agent.Termination;
import dev.elasticagents.agent.TerminationKind;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.runtime.JobWorkerRegistrar;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Brings the registry and the provider in step when the service starts, before its job workers
 * open: what the registry holds about this instance's agents may have changed while it was down
 * (agents that ended, a termination cut short, a process launched whose launch was never recorded).
 * Agents of this instance that still run are adopted as they are; those whose process is gone
 * become TERMINATED with the reason; terminations this instance had claimed are finished; processes
 * the registry does not hold live are terminated. Agents of other instances are theirs to
 * reconcile.
 *
 * <p>Where replicas share the provider's scope (Kubernetes: one namespace), another replica may be
 * launching an agent while this one starts: reserved in the registry, its pod not yet created. An
 * agent not seen running is therefore terminated only once it is older than the provider's launch
 * grace; a younger one is left to cleanup, which gives it a grace of its own.
 */
@Component
public class AgentReconciliation implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(AgentReconciliation.class);

  private final AgentRegistry registry;
  private final AgentProvider provider;
  private final AgentTerminator terminator;
  private final MeterRegistry meters;
  private final Clock clock;
  private volatile boolean running;

  public AgentReconciliation(
      AgentRegistry registry,
      AgentProvider provider,
      AgentTerminator terminator,
      MeterRegistry meters,
      Clock clock) {
    this.registry = registry;
    this.provider = provider;
    this.terminator = terminator;
    this.meters = meters;
    this.clock = clock;
  }

  @Override
  public void start() {
    long started = System.nanoTime();
    Reconciled reconciled = reconcile();
    log.info(
        "Reconciled the registry with provider {} in {} ms: {} agent(s) adopted, {} gone (now"
            + " TERMINATED), {} termination(s) finished, {} unknown process(es) terminated, {} left"
            + " to cleanup (maybe still launching)",
        provider.owner(),
        (System.nanoTime() - started) / 1_000_000,
        reconciled.adopted(),
        reconciled.gone(),
        reconciled.terminationsFinished(),
        reconciled.unknown(),
        reconciled.leftToCleanup());
    running = true;
  }

  /** Compares the registry with what the provider runs and acts on every difference. */
  public Reconciled reconcile() {
    // The registry before the provider: an agent reserved after this read is not judged, and the
    // process of one reserved before it, launched by now, is in the provider's listing.
    Map<String, Agent> live =
        registry.live().stream().collect(Collectors.toMap(Agent::id, Function.identity()));
    Set<String> runs = provider.runningAgents();
    Instant now = clock.instant();
    List<Agent> ours =
        live.values().stream().filter(agent -> agent.owner().equals(provider.owner())).toList();
    int adopted = 0;
    int gone = 0;
    int terminationsFinished = 0;
    int leftToCleanup = 0;
    for (Agent agent : ours) {
      if (agent.state() == AgentState.TERMINATING) {
        if (terminator.takeOver(agent)) {
          terminator.finish(
              agent,
              new Termination(
                  TerminationKind.TAKEN_OVER, "termination cut short when the service stopped"));
          terminationsFinished++;
        }
      } else if (runs.contains(agent.id())) {
        adopted++;
      } else if (mayStillBeLaunching(agent, now)) {
        log.info(
            "Left agent {} to cleanup: not running yet, but {} within the launch grace of {};"
                + " another replica may be launching it",
            agent.id(),
            agent.isLaunched() ? "launched" : "reserved",
            launchGrace());
        leftToCleanup++;
      } else if (terminator.terminate(agent, gone(agent))) {
        gone++;
      }
    }
    int unknown = 0;
    for (String agentId : runs) {
      Agent known = live.get(agentId);
      if (known == null) {
        if (!isLive(agentId)) {
          terminator.removeUnknown(agentId);
          unknown++;
        }
      } else if (!known.owner().equals(provider.owner())) {
        log.warn(
            "Agent {} runs in this instance's work directory but the registry says {} launched it:"
                + " left alone. Give each instance a stable elastic-agents.instance-id.",
            agentId,
            known.owner());
      }
    }
    Reconciled reconciled =
        new Reconciled(adopted, gone, terminationsFinished, unknown, leftToCleanup);
    count("adopted", adopted);
    count("gone", gone);
    count("termination-finished", terminationsFinished);
    count("unknown", unknown);
    count("left-to-cleanup", leftToCleanup);
    return reconciled;
  }

  /**
   * Whether another replica may be launching this agent right now: in a scope shared by replicas,
   * reserved or launched within the launch grace. Cleanup terminates it later if it never runs: a
   * launched agent it does not see running after its own grace, a reservation at its auto-register
   * timeout.
   */
  private boolean mayStillBeLaunching(Agent agent, Instant now) {
    return provider.scopeSharedByReplicas()
        && Deadlines.after(agent.launchedAt().orElse(agent.createdAt()), launchGrace())
            .isAfter(now);
  }

  /** The provider's launch grace, never shorter than the delay cleanup gives a launched agent. */
  private Duration launchGrace() {
    Duration grace = provider.launchGrace();
    return grace.compareTo(provider.listingDelay()) > 0 ? grace : provider.listingDelay();
  }

  // Reserved after the registry was read, and launched before the provider listed its agents?
  private boolean isLive(String agentId) {
    return registry.find(agentId).filter(agent -> agent.state().isLive()).isPresent();
  }

  private static Termination gone(Agent agent) {
    return new Termination(
        TerminationKind.GONE,
        agent.isLaunched()
            ? "its process was gone when the service started"
            : "its launch never happened: the service stopped first");
  }

  private void count(String result, int count) {
    meters.counter("elastic.agents.reconciled", "result", result).increment(count);
  }

  @Override
  public void stop() {
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Before the job workers open. */
  @Override
  public int getPhase() {
    return JobWorkerRegistrar.PHASE - 1;
  }

  /**
   * What one reconciliation did, agent by agent.
   *
   * @param leftToCleanup agents of a scope shared by replicas not seen running but young enough
   *     that another replica may still be launching them
   */
  public record Reconciled(
      int adopted, int gone, int terminationsFinished, int unknown, int leftToCleanup) {}
}
