package dev.elasticagents.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.JobIdentifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The counts a fault run is judged by, read once every GoCD job finished:
 *
 * <ul>
 *   <li>lifecycle instances started and finished, from the engine's records; with every GoCD job
 *       done, no lifecycle may still wait;
 *   <li>GoCD jobs that decisions gave two agents ({@code agentsAssignedTo});
 *   <li>leaked agents: with every GoCD job done and idle agents past their idle timeout, any agent
 *       the registry still holds live, or whose process still runs in the work directory, leaked;
 *   <li>lost completions: decisions recorded in the registry (each under its job's element
 *       instance) whose job the engine never completed. A decision whose completion was dropped
 *       counts as lost until its redelivered job replayed it and the engine completed that.
 * </ul>
 */
record RunCounts(
    int gocdJobs,
    int instances,
    int finished,
    int waiting,
    long duplicates,
    long leaked,
    int decisions,
    long lostCompletions,
    long replayed) {

  static RunCounts of(FaultRun run) throws IOException {
    EngineRecords records = run.records();
    List<JobIdentifier> jobs = run.load.jobs();
    long duplicates = jobs.stream().filter(job -> Set.copyOf(run.registry.agentsAssignedTo(job)).size() > 1).count();
    Set<String> leaked = new HashSet<>(run.agents.running().keySet());
    run.registry.live().stream().map(Agent::id).forEach(leaked::add);
    List<String> decisions = run.jdbc.sql("select decision_key from decisions").query(String.class).list();
    long lost =
        decisions.stream()
            .map(key -> Long.parseLong(key.substring(key.lastIndexOf(':') + 1)))
            .filter(elementInstance -> !records.completedJobs.contains(elementInstance))
            .count();
    Set<Long> finished = new HashSet<>(records.ended);
    finished.retainAll(records.lifecycles);
    return new RunCounts(
        jobs.size(),
        records.lifecycles.size(),
        finished.size(),
        records.waiting().size(),
        duplicates,
        leaked.size(),
        decisions.size(),
        lost,
        run.serviceLogs().lines().filter(line -> line.contains("Replayed decision")).count());
  }

  /**
   * Waits until the run settled (no lifecycle waits, no agent left, every decision completed)
   * and returns those counts, or the last ones read when it did not settle in time.
   */
  static RunCounts awaitSettled(FaultRun run, Duration atMost) {
    AtomicReference<RunCounts> last = new AtomicReference<>();
    try {
      Awaitility.await("the fault run settling")
          .atMost(atMost)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> {
            last.set(of(run));
            return last.get().settled();
          });
    } catch (ConditionTimeoutException e) {
      // Reported, then judged by assertClean().
    }
    return last.get();
  }

  boolean settled() {
    return waiting == 0 && leaked == 0 && lostCompletions == 0;
  }

  /** Prints the run's figures and appends them to {@code target/fault-runs.txt}. */
  void report(FaultRun run, String faults, String recovery) throws IOException {
    String figures =
        ("%s: %d GoCD jobs, %d lifecycle instances, faults: %s, %d instances finished, %d waiting, "
                + "%d GoCD jobs with two agents, %d leaked agents, %d lost completions of %d decisions "
                + "(%d replayed for redelivered jobs), recovery: %s, GoCD jobs flowing for %d s (%d s with start-ups)")
            .formatted(
                run.name, gocdJobs, instances, faults, finished, waiting, duplicates, leaked, lostCompletions,
                decisions, replayed, recovery, Duration.between(run.load.started(), Instant.now()).toSeconds(),
                Duration.between(run.began, Instant.now()).toSeconds());
    System.out.println("[fault run] " + figures);
    Files.writeString(
        Path.of("target/fault-runs.txt"),
        figures + System.lineSeparator(),
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  void assertClean() {
    assertThat(instances).as("lifecycle instances").isGreaterThanOrEqualTo(gocdJobs);
    assertThat(waiting).as("lifecycles still waiting once every GoCD job is done").isZero();
    assertThat(finished).as("lifecycles finished").isEqualTo(instances);
    assertThat(duplicates).as("GoCD jobs with two agents").isZero();
    assertThat(leaked).as("leaked agents").isZero();
    assertThat(lostCompletions).as("lost completions").isZero();
  }

  /** Seconds with one decimal, for the figures. */
  static String seconds(Duration duration) {
    return "%.1f s".formatted(duration.toMillis() / 1000.0);
  }
}
