package dev.elasticagents.faults;

import static dev.elasticagents.faults.RunCounts.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.testing.HeldCompletions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The service gets SIGTERM with handlers in flight: three create-agent handlers decided and sent
 * their completions, which the proxy holds for a second into the shutdown, then passes to the
 * engine (embedded in the test JVM, it runs on untouched). The service drains (its outcomes reach
 * the engine before it exits), leaves its agents running, and the next start adopts them while GoCD
 * jobs keep flowing. GoCD's side kills the first agent of some jobs before registering it and loses
 * the job-completion of others throughout ({@link GoCdLoad.Faults}); the held completions are of
 * other jobs, and the agents it killed are not expected to run.
 */
class ServiceTerminatedFaultRunTest {

  private static final int HELD = 3;
  private static final Duration GRACE = Duration.ofSeconds(20);
  // How long the held handlers stay in flight after the SIGTERM: the scenario, not a wait.
  private static final Duration HELD_INTO_SHUTDOWN = Duration.ofSeconds(1);
  private static final Pattern ADOPTED =
      Pattern.compile("Reconciled the registry.*?(\\d+) agent\\(s\\) adopted");

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void handlersInFlightSendTheirOutcomesBeforeExitAndTheNextStartAdoptsTheAgents()
      throws Exception {
    try (FaultRun run = new FaultRun("service-sigterm")) {
      run.configure("job-workers.shutdown-grace-period", GRACE.toString());
      ServiceProcess stopped = run.startService();
      run.load.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> run.load.finishedJobs() >= 3);
      run.load.holdBuildsOfNewJobs();
      HeldCompletions held =
          run.proxy
              .holdCompletions(HELD, run.agentsForHeldBuilds())
              .awaitAllHeld(Duration.ofSeconds(30));
      List<String> heldAgents = held.held().values().stream().map(FaultRun::agentIn).toList();
      Map<String, Long> launched = run.agents.running();
      Set<Long> inFlight = run.load.runningJobs();

      Instant fault = Instant.now();
      stopped.terminate();
      Thread.sleep(HELD_INTO_SHUTDOWN);
      assertThat(stopped.isAlive())
          .as("draining while its handlers wait for their completions")
          .isTrue();
      held.forward();
      assertThat(stopped.awaitExit(GRACE.plusSeconds(15)))
          .as("exit code after SIGTERM")
          .isEqualTo(143);
      Duration exited = Duration.between(fault, Instant.now());

      assertThat(exited).as("time to exit").isLessThan(GRACE);
      assertThat(stopped.logged("Drained job workers"))
          .as("drain reported in %s", stopped.logFile())
          .isTrue();
      held.held()
          .keySet()
          .forEach(
              jobKey -> {
                assertThat(run.acceptedCompletion(jobKey, run.began))
                    .as("completion of job %d accepted", jobKey)
                    .isPresent();
                assertThat(stopped.logged("Sent complete for job " + jobKey + " "))
                    .as(
                        "%s says the service got the engine's answer for job %d",
                        stopped.logFile(), jobKey)
                    .isTrue();
              });
      Map<String, Long> afterExit = run.agents.running();
      Set<String> unclaimed = run.unclaimedAgents();
      assertThat(unclaimed).containsAll(heldAgents);
      assertThat(afterExit.keySet())
          .as("agents the registry holds unclaimed still run")
          .containsAll(unclaimed);
      assertThat(afterExit)
          .as("as the processes launched before the SIGTERM")
          .containsAllEntriesOf(run.unclaimed(launched));

      ServiceProcess restarted = run.startService();
      assertThat(adoptedIn(restarted.log())).as("agents adopted").isEqualTo(unclaimed.size());
      heldAgents.forEach(
          agent -> {
            assertThat(run.registry.find(agent))
                .map(Agent::state)
                .hasValueSatisfying(
                    state -> assertThat(state).isIn(AgentState.PENDING, AgentState.BUSY));
            assertThat(run.agents.running()).containsEntry(agent, launched.get(agent));
            assertThat(restarted.logged("Launched local agent " + agent))
                .as("%s launched %s again", restarted.logFile(), agent)
                .isFalse();
          });

      run.load.finishBuilds();
      run.load.awaitAllFinished(Duration.ofSeconds(90));
      RunCounts counts = RunCounts.awaitSettled(run, Duration.ofSeconds(45));
      counts.report(
          run,
          "1 SIGTERM of the service with %d completions in flight".formatted(HELD),
          "exited %s after the SIGTERM, first completion of the next start %s after the SIGTERM, GoCD jobs in flight at the SIGTERM done after %s"
              .formatted(
                  seconds(exited),
                  seconds(run.firstCompletion(fault, fault.plus(exited))),
                  seconds(Duration.between(fault, run.load.lastFinished(inFlight)))));
      counts.assertClean(run);
    }
  }

  private static int adoptedIn(String log) {
    Matcher adopted = ADOPTED.matcher(log);
    assertThat(adopted.find()).as("the start-up reconciliation's report").isTrue();
    return Integer.parseInt(adopted.group(1));
  }
}
