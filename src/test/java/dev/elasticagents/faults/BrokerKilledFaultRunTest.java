package dev.elasticagents.faults;

import static dev.elasticagents.faults.RunCounts.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.elasticagents.zeebe.HeldCompletions;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker is killed with SIGKILL while GoCD jobs flow, stays down a few seconds and starts
 * again on the same data directory and ports. Three create-agent completions are on their way
 * when it dies (the proxy holds them until then). The service is not touched: it reconnects by
 * itself, and the outcomes it could not send come back as redelivered jobs that replay their
 * recorded decisions.
 */
class BrokerKilledFaultRunTest {

  private static final int HELD = 3;
  // How long the broker stays down before it starts again: the scenario, not a wait.
  private static final Duration DOWN = Duration.ofSeconds(3);

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void theServiceReconnectsByItselfAndEveryLifecycleFinishes() throws Exception {
    try (FaultRun run = new FaultRun("broker-sigkill")) {
      ServiceProcess service = run.startService();
      run.load.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> run.load.finishedJobs() >= 5);
      HeldCompletions held = run.proxy.holdCompletions(HELD, FaultRun.agentAssignments()).awaitAllHeld(Duration.ofSeconds(30));
      Set<Long> inFlight = run.load.runningJobs();

      Instant fault = Instant.now();
      run.broker.kill();
      Instant dead = Instant.now();
      held.forward(); // to a broker that is gone
      Thread.sleep(DOWN);
      run.broker.restart();
      Duration brokerBack = Duration.between(fault, Instant.now());

      run.load.awaitAllFinished(Duration.ofSeconds(120));
      assertThat(service.isAlive()).as("the service ran through").isTrue();
      assertThat(run.starts()).as("service starts").isEqualTo(1);
      held.held().forEach((jobKey, body) ->
          assertThat(run.acceptedCompletion(jobKey, fault).map(FaultRun::agentIn))
              .as("the agent the redelivered job %d completed with", jobKey)
              .contains(FaultRun.agentIn(body)));
      RunCounts counts = RunCounts.awaitSettled(run, Duration.ofSeconds(45));
      long refused =
          run.proxy.exchanges(event -> event.getResponse().getStatus() >= 500
              && event.getRequest().getLoggedDate().toInstant().isAfter(fault)
              && event.getRequest().getLoggedDate().toInstant().isBefore(fault.plus(brokerBack))).size();
      counts.report(
          run,
          "1 SIGKILL of the broker with %d completions on their way, back after %s (down %s, then its start-up); %d REST calls of the service failed meanwhile"
              .formatted(HELD, seconds(brokerBack), seconds(DOWN), refused),
          "first completion %s after the fault, GoCD jobs in flight at the fault done after %s"
              .formatted(
                  seconds(run.firstCompletion(fault, dead)),
                  seconds(Duration.between(fault, run.load.lastFinished(inFlight)))));
      counts.assertClean();
      assertThat(counts.replayed()).as("decisions replayed").isGreaterThanOrEqualTo(HELD);
    }
  }
}
