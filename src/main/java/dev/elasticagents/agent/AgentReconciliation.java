package dev.elasticagents.agent;

import dev.elasticagents.runtime.JobWorkerRegistrar;
import io.micrometer.core.instrument.MeterRegistry;
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
 * (agents that ended, a termination cut short, a process launched whose launch was never
 * recorded). Agents of this instance that still run are adopted as they are; those whose process
 * is gone become TERMINATED with the reason; terminations this instance had claimed are finished;
 * processes the registry does not hold live are terminated. Agents of other instances are theirs
 * to reconcile.
 */
@Component
public class AgentReconciliation implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(AgentReconciliation.class);

  private final AgentRegistry registry;
  private final AgentProvider provider;
  private final AgentTerminator terminator;
  private final MeterRegistry meters;
  private volatile boolean running;

  public AgentReconciliation(
      AgentRegistry registry, AgentProvider provider, AgentTerminator terminator, MeterRegistry meters) {
    this.registry = registry;
    this.provider = provider;
    this.terminator = terminator;
    this.meters = meters;
  }

  @Override
  public void start() {
    long started = System.nanoTime();
    Reconciled reconciled = reconcile();
    log.info(
        "Reconciled the registry with provider {} in {} ms: {} agent(s) adopted, {} gone (now TERMINATED), {} termination(s) finished, {} unknown process(es) terminated",
        provider.owner(),
        (System.nanoTime() - started) / 1_000_000,
        reconciled.adopted(),
        reconciled.gone(),
        reconciled.terminationsFinished(),
        reconciled.unknown());
    running = true;
  }

  /** Compares the registry with what the provider runs and acts on every difference. */
  public Reconciled reconcile() {
    // The registry before the provider: an agent reserved after this read is not judged, and the
    // process of one reserved before it, launched by now, is in the provider's listing.
    Map<String, Agent> live = registry.live().stream().collect(Collectors.toMap(Agent::id, Function.identity()));
    Set<String> runs = provider.runningAgents();
    List<Agent> ours = live.values().stream().filter(agent -> agent.owner().equals(provider.owner())).toList();
    int adopted = 0;
    int gone = 0;
    int terminationsFinished = 0;
    for (Agent agent : ours) {
      if (agent.state() == AgentState.TERMINATING) {
        if (terminator.takeOver(agent)) {
          terminator.finish(agent, "termination cut short when the service stopped");
          terminationsFinished++;
        }
      } else if (runs.contains(agent.id())) {
        adopted++;
      } else if (terminator.terminate(agent, goneReason(agent))) {
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
            "Agent {} runs in this instance's work directory but the registry says {} launched it: left alone. Give each instance a stable elastic-agents.instance-id.",
            agentId,
            known.owner());
      }
    }
    Reconciled reconciled = new Reconciled(adopted, gone, terminationsFinished, unknown);
    count("adopted", adopted);
    count("gone", gone);
    count("termination-finished", terminationsFinished);
    count("unknown", unknown);
    return reconciled;
  }

  // Reserved after the registry was read, and launched before the provider listed its agents?
  private boolean isLive(String agentId) {
    return registry.find(agentId).filter(agent -> agent.state().isLive()).isPresent();
  }

  private static String goneReason(Agent agent) {
    return agent.isLaunched()
        ? "its process was gone when the service started"
        : "its launch never happened: the service stopped first";
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

  /** What one reconciliation did, agent by agent. */
  public record Reconciled(int adopted, int gone, int terminationsFinished, int unknown) {}
}
