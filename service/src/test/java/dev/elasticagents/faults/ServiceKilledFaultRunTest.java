package dev.elasticagents.faults;

import static dev.elasticagents.faults.RunCounts.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.testing.HeldCompletions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The service is killed with SIGKILL between decisions and their completions: it recorded three
 * create-agent decisions, launched their agents and sent the completions, which the proxy holds
 * when the JVM dies. The completions never reach the engine (embedded in the test JVM, it runs on
 * untouched). Their jobs time out there and come back when the service starts again on the same
 * database, instance id and work directory while GoCD jobs keep flowing; the redelivered jobs
 * replay the recorded decisions with the agents the killed service launched. GoCD's side kills the
 * first agent of some jobs before registering it and loses the job-completion of others throughout
 * ({@link GoCdLoad.Faults}); the held completions are of other jobs.
 */
class ServiceKilledFaultRunTest {

  private static final int HELD = 3;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void redeliveredJobsReplayTheKilledServicesDecisionsWithTheAgentsItLaunched() throws Exception {
    try (FaultRun run = new FaultRun("service-sigkill")) {
      ServiceProcess killed = run.startService();
      run.load.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> run.load.finishedJobs() >= 3);
      run.load.holdBuildsOfNewJobs();
      HeldCompletions held =
          run.proxy
              .holdCompletions(HELD, run.agentsForHeldBuilds())
              .awaitAllHeld(Duration.ofSeconds(30));
      Map<Long, String> agentsByJobKey = new LinkedHashMap<>();
      held.held().forEach((jobKey, body) -> agentsByJobKey.put(jobKey, FaultRun.agentIn(body)));
      Map<String, Long> launched = run.agents.running();
      assertThat(launched).containsKeys(agentsByJobKey.values().toArray(String[]::new));
      Set<Long> inFlight = run.load.runningJobs();

      Instant fault = Instant.now();
      killed.kill();
      assertThat(killed.awaitExit(Duration.ofSeconds(10)))
          .as("exit code after SIGKILL")
          .isEqualTo(137);
      Instant dead = Instant.now();
      held.drop();
      assertThat(run.agents.running())
          .as("agents outlive the killed service")
          .containsAllEntriesOf(run.unclaimed(launched));

      ServiceProcess restarted = run.startService();
      await("the held jobs redelivered and completed")
          .atMost(Duration.ofSeconds(45))
          .until(
              () ->
                  agentsByJobKey.keySet().stream()
                      .allMatch(jobKey -> run.acceptedCompletion(jobKey, fault).isPresent()));
      Duration heldWorkDone = Duration.between(fault, Instant.now());

      agentsByJobKey.forEach(
          (jobKey, agent) -> {
            JobIdentifier job = gocdJobOf(run, agent);
            assertThat(run.acceptedCompletion(jobKey, fault).map(FaultRun::agentIn))
                .as("the agent the redelivered job %d completed with", jobKey)
                .contains(agent);
            assertThat(run.registry.decisionsFor("create-agent", job))
                .as("decisions for GoCD job %d", job.jobId())
                .hasSize(1);
            assertThat(run.registry.agentsAssignedTo(job))
                .as("agents of GoCD job %d", job.jobId())
                .containsExactly(agent);
            assertThat(run.agents.running())
                .as("the same agent process after the restart")
                .containsEntry(agent, launched.get(agent));
            assertThat(
                    Pattern.compile("Replayed decision (CREATED|REUSED) \\(agent " + agent + "\\)")
                        .matcher(restarted.log())
                        .find())
                .as("%s replayed the decision that gave %s", restarted.logFile(), agent)
                .isTrue();
            assertThat(restarted.logged("Launched local agent " + agent))
                .as("%s launched %s again", restarted.logFile(), agent)
                .isFalse();
          });

      run.load.finishBuilds();
      run.load.awaitAllFinished(Duration.ofSeconds(90));
      RunCounts counts = RunCounts.awaitSettled(run, Duration.ofSeconds(45));
      counts.report(
          run,
          "1 SIGKILL of the service with %d completions held at it and dropped".formatted(HELD),
          "first completion %s after the fault, held jobs replayed after %s, GoCD jobs in flight at the fault done after %s"
              .formatted(
                  seconds(run.firstCompletion(fault, dead)),
                  seconds(heldWorkDone),
                  seconds(Duration.between(fault, run.load.lastFinished(inFlight)))));
      counts.assertClean(run);
      assertThat(counts.replayed()).as("decisions replayed").isGreaterThanOrEqualTo(HELD);
    }
  }

  /** The GoCD job an agent was given, while it serves it. */
  static JobIdentifier gocdJobOf(FaultRun run, String agent) {
    long jobId = Long.parseLong(run.registry.find(agent).flatMap(Agent::jobKey).orElseThrow());
    return run.load.jobs().stream().filter(job -> job.jobId() == jobId).findFirst().orElseThrow();
  }
}
