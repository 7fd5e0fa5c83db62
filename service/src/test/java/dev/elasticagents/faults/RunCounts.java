package dev.elasticagents.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.JobIdentifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The counts a fault run is judged by, read once every GoCD job finished:
 *
 * <ul>
 *   <li>lifecycle instances started and finished, from the engine's records; with every GoCD job
 *       done, no lifecycle may still wait;
 *   <li>GoCD jobs that decisions gave two agents ({@code agentsAssignedTo}) that were not lost (an
 *       agent whose lifecycle got {@code agent-lost} was replaced, as it should be), and GoCD jobs
 *       that got no agent that was not lost;
 *   <li>agents lost: those GoCD's side killed before registering must all be, and no other;
 *   <li>leaked agents: with every GoCD job done and idle agents past their idle timeout, any agent
 *       the registry still holds live, or whose process still runs in the work directory, leaked; a
 *       busy agent whose GoCD job is done is stuck (and leaked);
 *   <li>lost completions: decisions recorded in the registry (each under its job's element
 *       instance) whose job the engine never completed. A decision whose completion was dropped
 *       counts as lost until its redelivered job replayed it and the engine completed that;
 *   <li>job-completions GoCD's side did not send whose agent the service's repair did not release,
 *       and repairs of job-completions that were sent (reported, not judged: a completion still on
 *       its way, held up by a fault, is repaired too).
 * </ul>
 */
record RunCounts(
    int gocdJobs,
    int instances,
    int finished,
    int waiting,
    long duplicates,
    long withoutAgent,
    long leaked,
    long stuckBusy,
    int decisions,
    long lostCompletions,
    long replayed,
    Map<String, Long> lostAgentsByReason,
    long killedNotLost,
    long lostNotKilled,
    long repaired,
    long droppedNotRepaired,
    long repairedThoughSent) {

  private static final Pattern REPAIRED =
      Pattern.compile(
          "Repaired the job-completion of agent ([A-Za-z0-9_-]+): .*? busy for job (\\d+)");

  static RunCounts of(FaultRun run) throws IOException {
    EngineRecords records = run.records();
    List<JobIdentifier> jobs = run.load.jobs();
    Set<String> lost = records.lostAgents.keySet();
    Map<Long, Set<String>> keptAgentsByJob =
        jobs.stream()
            .collect(
                Collectors.toMap(
                    JobIdentifier::jobId,
                    job ->
                        run.registry.agentsAssignedTo(job).stream()
                            .filter(agent -> !lost.contains(agent))
                            .collect(Collectors.toSet())));
    long duplicates = keptAgentsByJob.values().stream().filter(agents -> agents.size() > 1).count();
    long withoutAgent = keptAgentsByJob.values().stream().filter(Set::isEmpty).count();
    Set<String> leaked = new HashSet<>(run.agents.running().keySet());
    List<Agent> live = run.registry.live();
    live.stream().map(Agent::id).forEach(leaked::add);
    Set<Long> done = run.load.finishedJobIds();
    long stuckBusy =
        live.stream()
            .filter(agent -> agent.state() == AgentState.BUSY)
            .filter(agent -> agent.jobKey().map(Long::parseLong).filter(done::contains).isPresent())
            .count();
    List<String> decisions =
        run.jdbc.sql("select decision_key from decisions").query(String.class).list();
    long lostCompletions =
        decisions.stream()
            .map(key -> Long.parseLong(key.substring(key.lastIndexOf(':') + 1)))
            .filter(elementInstance -> !records.completedJobs.contains(elementInstance))
            .count();
    Set<Long> finished = new HashSet<>(records.ended);
    finished.retainAll(records.lifecycles);
    String logs = run.serviceLogs();
    // An agent kept after its job may lose the job-completion of a later job too: agent and job.
    Set<String> repaired = new HashSet<>();
    Matcher repair = REPAIRED.matcher(logs);
    while (repair.find()) {
      repaired.add(repair.group(1) + " for job " + repair.group(2));
    }
    Set<String> killed = run.load.killedAgentIds();
    Set<String> notSent =
        run.load.droppedCompletions().stream()
            .filter(drop -> drop.how().equals("not sent"))
            .map(GoCdLoad.Recovery::agentForJob)
            .collect(Collectors.toSet());
    Set<String> dropped =
        run.load.droppedCompletions().stream()
            .map(GoCdLoad.Recovery::agentForJob)
            .collect(Collectors.toSet());
    return new RunCounts(
        jobs.size(),
        records.lifecycles.size(),
        finished.size(),
        records.waiting().size(),
        duplicates,
        withoutAgent,
        leaked.size(),
        stuckBusy,
        decisions.size(),
        lostCompletions,
        logs.lines().filter(line -> line.contains("Replayed decision")).count(),
        records.lostAgents.values().stream()
            .collect(
                Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting())),
        killed.stream().filter(agent -> !lost.contains(agent)).count(),
        lost.stream().filter(agent -> !killed.contains(agent)).count(),
        repaired.size(),
        notSent.stream().filter(agent -> !repaired.contains(agent)).count(),
        repaired.stream().filter(agent -> !dropped.contains(agent)).count());
  }

  /**
   * Waits until the run settled (no lifecycle waits, no agent left, every decision completed) and
   * returns those counts, or the last ones read when it did not settle in time.
   */
  static RunCounts awaitSettled(FaultRun run, Duration atMost) {
    AtomicReference<RunCounts> last = new AtomicReference<>();
    try {
      Awaitility.await("the fault run settling")
          .atMost(atMost)
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
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

  /**
   * Prints the run's figures and the times from each fault of GoCD's side to its end, and appends
   * them to {@code target/fault-runs.txt}.
   */
  void report(FaultRun run, String faults, String recovery) throws IOException {
    List<GoCdLoad.Recovery> kills = run.load.killedAgents();
    List<GoCdLoad.Recovery> drops = run.load.droppedCompletions();
    Map<String, Long> dropsByHow =
        drops.stream()
            .collect(
                Collectors.groupingBy(GoCdLoad.Recovery::how, TreeMap::new, Collectors.counting()));
    String figures =
        ("%s: %d GoCD jobs, %d lifecycle instances, faults: %s; and %d agents killed before"
                + " registering, %d job-completions lost %s; %d instances finished, %d waiting, %d"
                + " GoCD jobs with two agents, %d GoCD jobs without an agent, %d leaked agents (%d"
                + " busy for a finished GoCD job), %d lost completions of %d decisions (%d replayed"
                + " for redelivered jobs), agents lost %s, %d job-completions repaired (%d of them"
                + " sent), recovery: %s, GoCD jobs flowing for %d s (%d s with start-ups)")
            .formatted(
                run.name,
                gocdJobs,
                instances,
                faults,
                kills.size(),
                drops.size(),
                dropsByHow,
                finished,
                waiting,
                duplicates,
                withoutAgent,
                leaked,
                stuckBusy,
                lostCompletions,
                decisions,
                replayed,
                lostAgentsByReason,
                repaired,
                repairedThoughSent,
                recovery,
                Duration.between(run.load.started(), Instant.now()).toSeconds(),
                Duration.between(run.began, Instant.now()).toSeconds());
    String killTimes =
        "%s: agent killed before registering -> new agent: %s".formatted(run.name, spread(kills));
    String dropTimes =
        "%s: job-completion dropped -> agent released: %s".formatted(run.name, spread(drops));
    for (String line : List.of(figures, killTimes, dropTimes)) {
      System.out.println("[fault run] " + line);
      Files.writeString(
          Path.of("target/fault-runs.txt"),
          line + System.lineSeparator(),
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
  }

  /** Median and maximum of the times from the faults to their ends, in milliseconds. */
  static String spread(List<GoCdLoad.Recovery> recoveries) {
    List<Long> millis =
        recoveries.stream().map(recovery -> recovery.took().toMillis()).sorted().toList();
    if (millis.isEmpty()) {
      return "none (n=0)";
    }
    int n = millis.size();
    long median = n % 2 == 1 ? millis.get(n / 2) : (millis.get(n / 2 - 1) + millis.get(n / 2)) / 2;
    return "median %d ms, max %d ms (n=%d)".formatted(median, millis.get(n - 1), n);
  }

  void assertClean(FaultRun run) {
    assertThat(instances).as("lifecycle instances").isGreaterThanOrEqualTo(gocdJobs);
    assertThat(waiting).as("lifecycles still waiting once every GoCD job is done").isZero();
    assertThat(finished).as("lifecycles finished").isEqualTo(instances);
    assertThat(duplicates).as("GoCD jobs with two agents").isZero();
    assertThat(withoutAgent).as("GoCD jobs without an agent").isZero();
    assertThat(stuckBusy).as("agents busy for a finished GoCD job").isZero();
    assertThat(leaked).as("leaked agents").isZero();
    assertThat(lostCompletions).as("lost completions").isZero();
    assertThat(killedNotLost)
        .as("agents killed before registering whose lifecycle did not learn it")
        .isZero();
    assertThat(lostNotKilled)
        .as("agents lost that GoCD's side did not kill: %s", lostAgentsByReason)
        .isZero();
    assertThat(droppedNotRepaired)
        .as("job-completions not sent whose agent no repair released")
        .isZero();
    GoCdLoad.Faults faults = run.load.faults();
    assertThat(run.load.killedAgents())
        .as("agents killed before registering")
        .hasSize(faults.killedBeforeRegistering().size());
    assertThat(run.load.droppedCompletions().stream().filter(drop -> drop.how().equals("not sent")))
        .as("job-completions not sent")
        .hasSize(faults.completionDropped().size());
  }

  /** Seconds with one decimal, for the figures. */
  static String seconds(Duration duration) {
    return "%.1f s".formatted(duration.toMillis() / 1000.0);
  }
}
