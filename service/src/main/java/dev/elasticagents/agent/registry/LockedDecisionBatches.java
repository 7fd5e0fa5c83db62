package dev.elasticagents.agent.registry;

import dev.elasticagents.agent.RecordedDecision;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Takes the create-agent decisions that need a cluster profile's lock in batches. While one
 * transaction of this instance holds a profile's lock, the decisions of that profile that arrive
 * wait here, and the next transaction takes them all, one after the other under one lock. A burst
 * of create-agent requests then costs one lock, one count, one insert into each table and one
 * commit per batch rather than per decision, and only one connection of the instance waits for the
 * profile's row lock at a time.
 *
 * <p>A batch that fails rolls back as a whole; each of its decisions is then taken again in a
 * transaction of its own, so that one request that cannot be decided fails alone.
 */
final class LockedDecisionBatches {

  /** The most decisions one transaction takes, so that no transaction holds the lock for long. */
  static final int MAX_BATCH = 64;

  private final Function<List<Demand>, List<RecordedDecision>> decideTogether;
  private final DistributionSummary batchSizes;
  // One queue per cluster profile the registry has a row for; callers bound those.
  private final ConcurrentMap<String, ProfileQueue> queues = new ConcurrentHashMap<>();

  /**
   * @param decideTogether decides demands of one cluster profile in one transaction under its lock,
   *     giving their decisions in order; it either decides them all or throws
   */
  LockedDecisionBatches(
      Function<List<Demand>, List<RecordedDecision>> decideTogether, MeterRegistry meters) {
    this.decideTogether = decideTogether;
    this.batchSizes =
        DistributionSummary.builder("elastic.agents.decisions.batch.size")
            .description("Create-agent decisions taken in one transaction under a profile's lock")
            .baseUnit("decisions")
            .register(meters);
  }

  /**
   * Decides a demand under its cluster profile's lock, in a batch with the demands of that profile
   * that wait meanwhile.
   */
  RecordedDecision decide(Demand demand) {
    ProfileQueue queue = queues.computeIfAbsent(demand.cluster().id(), id -> new ProfileQueue());
    Waiting waiting = new Waiting(demand);
    queue.waiting.add(waiting);
    queue.turn.lock();
    try {
      // A batch before this one may have taken it already; otherwise this thread takes the batch.
      while (!waiting.decision.isDone()) {
        List<Waiting> batch = queue.take();
        if (batch.isEmpty()) {
          throw new IllegalStateException("A waiting decision left its queue undecided");
        }
        decide(batch);
      }
    } finally {
      queue.turn.unlock();
    }
    return waiting.result();
  }

  /** Demands of a profile waiting for its turn now, for tests that line decisions up. */
  int waiting(String clusterProfileId) {
    ProfileQueue queue = queues.get(clusterProfileId);
    return queue == null ? 0 : queue.waiting.size();
  }

  private void decide(List<Waiting> batch) {
    batchSizes.record(batch.size());
    try {
      List<RecordedDecision> decisions =
          decideTogether.apply(batch.stream().map(Waiting::demand).toList());
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).decision.complete(decisions.get(i));
      }
    } catch (RuntimeException e) {
      if (batch.size() == 1) {
        batch.getFirst().decision.completeExceptionally(e);
        return;
      }
      for (Waiting alone : batch) {
        decide(List.of(alone));
      }
    } catch (Error e) {
      batch.forEach(waiting -> waiting.decision.completeExceptionally(e));
      throw e;
    }
  }

  private static final class ProfileQueue {
    private final Queue<Waiting> waiting = new ConcurrentLinkedQueue<>();
    // Held by the thread that takes this profile's next batch.
    private final ReentrantLock turn = new ReentrantLock();

    /** The oldest waiting demands, at most a batch of them; only the turn's holder calls it. */
    private List<Waiting> take() {
      List<Waiting> batch = new ArrayList<>();
      Waiting next;
      while (batch.size() < MAX_BATCH && (next = waiting.poll()) != null) {
        batch.add(next);
      }
      return batch;
    }
  }

  private record Waiting(Demand demand, CompletableFuture<RecordedDecision> decision) {
    Waiting(Demand demand) {
      this(demand, new CompletableFuture<>());
    }

    /** The decision, or the failure of the transaction that took it, thrown as it was. */
    RecordedDecision result() {
      if (decision.state() == Future.State.FAILED) {
        Throwable failure = decision.exceptionNow();
        if (failure instanceof RuntimeException runtime) {
          throw runtime;
        }
        if (failure instanceof Error error) {
          throw error;
        }
        throw new IllegalStateException(failure);
      }
      return decision.resultNow();
    }
  }
}
