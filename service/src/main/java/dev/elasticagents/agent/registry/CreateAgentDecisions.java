package dev.elasticagents.agent.registry;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentDecision;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.DecisionKey;
import dev.elasticagents.agent.DecisionOutcome;
import dev.elasticagents.agent.RecordedDecision;
import dev.elasticagents.agent.Termination;
import dev.elasticagents.agent.TerminationKind;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The create-agent decision of a Zeebe job, recorded with its effect in one transaction under the
 * job's {@link DecisionKey}: replayed when the job is redelivered, taken without the cluster
 * profile's lock when it changes no capacity, and by {@link Allocation} under that lock otherwise,
 * in batches with the decisions of the same profile that wait meanwhile ({@link
 * LockedDecisionBatches}).
 */
final class CreateAgentDecisions {

  private final TransactionTemplate transactions;
  private final Clock clock;
  private final DecisionLog decisions;
  private final Allocation allocation;
  private final AgentTransitions transitions;
  private final ClusterProfileLocks profileLocks;
  private final LockedDecisionBatches lockedBatches;

  CreateAgentDecisions(
      TransactionTemplate transactions,
      Clock clock,
      DecisionLog decisions,
      Allocation allocation,
      AgentTransitions transitions,
      ClusterProfileLocks profileLocks,
      MeterRegistry meters) {
    this.transactions = transactions;
    this.clock = clock;
    this.decisions = decisions;
    this.allocation = allocation;
    this.transitions = transitions;
    this.profileLocks = profileLocks;
    this.lockedBatches = new LockedDecisionBatches(this::decideLocked, meters);
  }

  /**
   * Decides a create-agent request and records the decision with its effect, in one transaction. A
   * redelivered job gets its recorded decision back, unless that decision can no longer stand: its
   * agent was terminated before it ever registered (its launch failed or never happened), or it is
   * a reservation of another instance that was never launched. Then it decides again.
   */
  RecordedDecision decide(Demand demand) {
    profileLocks.ensureRow(demand.cluster().id());
    try {
      Optional<RecordedDecision> withoutLock = decideWithoutLock(demand);
      if (withoutLock.isPresent()) {
        return withoutLock.get();
      }
    } catch (DuplicateKeyException e) {
      // The same job, or the same GoCD job under another cluster profile, was decided meanwhile:
      // the decision under the lock sees what was recorded.
    }
    return lockedBatches.decide(demand);
  }

  /** Waiting to be decided under their cluster profile's lock, for tests that line them up. */
  int waitingForLock(String clusterProfileId) {
    return lockedBatches.waiting(clusterProfileId);
  }

  /**
   * The decisions that change no capacity, taken without the cluster profile's lock, so that GoCD
   * re-sending create-agent for waiting jobs does not queue behind the jobs that get agents: a
   * recorded decision that stands, and the agent the GoCD job already has. Each rests on a
   * compare-and-set or a unique key, not on the lock: two redeliveries recording at once collide on
   * the decision key, and an agent given to the job by should-assign-work is adopted by a
   * compare-and-set. Empty when the decision needs the lock; that runs in a transaction of its own.
   *
   * <p>No transaction spans the reads: one statement reads the recorded decision and the job's live
   * agent, so both come from one snapshot, and what is written rests on the unique key and the
   * compare-and-set alone. Only an adoption, a change of the agent besides the decision, commits in
   * a transaction; the decision that the job's agent is already created is one insert that commits
   * by itself. So GoCD's re-sent create-agent costs two round trips to the database.
   */
  private Optional<RecordedDecision> decideWithoutLock(Demand demand) {
    Allocation.FirstLook look = allocation.firstLook(demand);
    if (look.recorded().isPresent()) {
      return look.recorded()
          .filter(decision -> standing(decision, demand.owner()) == Standing.STANDS)
          .map(decision -> decisions.replayed(demand.key(), decision));
    }
    Instant now = clock.instant();
    return look.liveAgent()
        .map(
            agent ->
                agent.assignedByGoCdTo(demand)
                    ? atomically(
                        () -> record(demand, allocation.agentTheJobHas(demand, now, agent), now))
                    : record(demand, allocation.agentTheJobHas(demand, now, agent), now));
  }

  /**
   * Decides demands of one cluster profile, in order, in one transaction that holds the profile's
   * lock: one lock, one statement that reads their recorded decisions, their GoCD jobs' agents and
   * the count of the profile's agents, and three that insert the agents they reserve, their jobs'
   * bindings and their decisions, for all of them.
   */
  private List<RecordedDecision> decideLocked(List<Demand> demands) {
    return atomically(
        () -> {
          String clusterProfileId = demands.getFirst().cluster().id();
          profileLocks.lock(clusterProfileId);
          Allocation.LockedLook look = allocation.lockedLook(clusterProfileId, demands);
          Map<DecisionKey, RecordedDecision> recorded = new HashMap<>(look.recorded());
          List<RecordedDecision> decided =
              demands.stream().map(demand -> decideLocked(demand, recorded, look.view())).toList();
          look.view().sendInserts();
          return decided;
        });
  }

  /**
   * Decides one demand of a locked transaction, given the decisions recorded for the transaction's
   * demands, which it keeps: a job delivered twice into one batch replays its first decision.
   */
  private RecordedDecision decideLocked(
      Demand demand, Map<DecisionKey, RecordedDecision> recorded, Allocation.LockedView view) {
    RecordedDecision found = recorded.get(demand.key());
    if (found != null) {
      // Its agent may be one this transaction reserved: the reads below must see it.
      view.sendInserts();
      if (stillStands(found, demand.owner(), view)) {
        return decisions.replayed(demand.key(), found);
      }
      decisions.forget(demand.key());
    }
    Instant now = clock.instant();
    AgentDecision decision = allocation.decide(demand, now, view);
    RecordedDecision fresh = fresh(decision, demand);
    view.record(demand.key(), fresh, now);
    recorded.put(
        demand.key(),
        new RecordedDecision(
            fresh.outcome(), fresh.agentId(), fresh.jobKey(), fresh.variables(), true));
    return fresh;
  }

  private RecordedDecision record(Demand demand, AgentDecision decision, Instant now) {
    RecordedDecision fresh = fresh(decision, demand);
    decisions.record(demand.key(), fresh, now);
    return fresh;
  }

  private static RecordedDecision fresh(AgentDecision decision, Demand demand) {
    return RecordedDecision.fresh(
        decision.outcome(), decision.assignedAgent(), demand.jobKey(), decision.variables());
  }

  /** Whether a recorded decision can be replayed, as far as a read tells. */
  private enum Standing {
    STANDS,
    /** Its agent was terminated before it ever registered. */
    STALE,
    /** Its agent is a reservation of another instance that was never launched. */
    RESERVED_BY_ANOTHER
  }

  private Standing standing(RecordedDecision recorded, String owner) {
    if (recorded.outcome() != DecisionOutcome.CREATED) {
      return Standing.STANDS;
    }
    Agent agent = recorded.agentId().flatMap(transitions::find).orElseThrow();
    if (!agent.state().isAvailable()) {
      return agent.registeredAt().isPresent() ? Standing.STANDS : Standing.STALE;
    }
    if (agent.state() == AgentState.PENDING
        && !agent.isLaunched()
        && !agent.owner().equals(owner)) {
      return Standing.RESERVED_BY_ANOTHER;
    }
    return Standing.STANDS;
  }

  private boolean stillStands(RecordedDecision recorded, String owner, Allocation.LockedView view) {
    return switch (standing(recorded, owner)) {
      case STANDS -> true;
      case STALE -> false;
      // Only the owner can launch it: take the reservation back so that no launch can use it.
      case RESERVED_BY_ANOTHER -> !takeReservationBack(recorded, owner, view);
    };
  }

  private boolean takeReservationBack(
      RecordedDecision recorded, String owner, Allocation.LockedView view) {
    boolean taken =
        transitions.claimTermination(
            recorded.agentId().flatMap(transitions::find).orElseThrow(),
            owner,
            new Termination(
                TerminationKind.OTHER,
                "reservation replaced: its job was redelivered to another instance"));
    // The reservation no longer starts nor serves its job: the decisions after it read again.
    view.reread();
    return taken;
  }

  private <T> T atomically(Supplier<T> work) {
    return transactions.execute(status -> work.get());
  }
}
