package dev.elasticagents.faults;

import static dev.elasticagents.faults.RunCounts.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.elasticagents.testing.HeldCompletions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster becomes unreachable while GoCD jobs flow: four create-agent completions are on their
 * way (the proxy holds them) when the engine's gateway and REST API close their ports, so that
 * connections are refused and the service's job streams end; two of the held completions go on to
 * the closed REST API. After 10 s the gateway is back without its brokers, accepting connections
 * and answering every request 503 over REST and {@code UNAVAILABLE} over gRPC; the other two go on
 * to it. 20 s after the fault it serves again on the same ports. The engine itself runs on
 * throughout, its clock too, so the jobs whose outcomes the service could not send time out
 * meanwhile. The service is not touched: it reconnects by itself, and those jobs come back
 * redelivered and replay their recorded decisions. GoCD's side kills the first agent of some jobs
 * before registering it and loses the job-completion of others throughout ({@link
 * GoCdLoad.Faults}); a job-completion it sends while the cluster is unreachable is lost too, since
 * GoCD never sends one again, and the service repairs it once the cluster is back.
 *
 * <p>What this cannot show is a broker that restarts on its data: the embedded engine keeps its
 * state in memory and is never stopped during the run.
 */
class ClusterUnreachableFaultRunTest {

  // Completions held into each phase: connections refused, then 503/UNAVAILABLE.
  private static final int HELD_PER_PHASE = 2;
  // How long connections are refused, then answered unavailable: the scenario, not waits.
  private static final Duration REFUSING = Duration.ofSeconds(10);
  private static final Duration UNREACHABLE = Duration.ofSeconds(20);

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void theServiceReconnectsByItselfAndEveryLifecycleFinishes() throws Exception {
    try (FaultRun run = new FaultRun("cluster-unreachable")) {
      // The service waits up to 30 s (10 s by default) for an answer to an outcome, so that the
      // completions held into the second phase are still awaited when they pass; and the jobs it
      // holds time out after 15 s, during the outage rather than while the proxy holds them (a
      // redelivery then would send the completion again before the fault).
      run.configure("job-workers.request-timeout", "PT30S");
      run.configure("job-workers.timeout", "PT15S");
      ServiceProcess service = run.startService();
      run.load.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> run.load.finishedJobs() >= 5);
      HeldCompletions intoRefused =
          run.proxy
              .holdCompletions(HELD_PER_PHASE, FaultRun.agentAssignments())
              .awaitAllHeld(Duration.ofSeconds(30));
      HeldCompletions intoUnavailable =
          run.proxy
              .holdCompletions(HELD_PER_PHASE, FaultRun.agentAssignments())
              .awaitAllHeld(Duration.ofSeconds(30));
      Map<Long, String> held = new LinkedHashMap<>(intoRefused.held());
      held.putAll(intoUnavailable.held());
      Set<Long> inFlight = run.load.runningJobs();

      Instant fault = Instant.now();
      run.engine.refuseConnections();
      Instant refused = Instant.now();
      intoRefused.forward(); // to a REST API that refuses connections
      sleepUntil(fault.plus(REFUSING));
      run.engine.answerUnavailable();
      Instant unavailable = Instant.now();
      intoUnavailable.forward(); // to a REST API that answers 503
      sleepUntil(fault.plus(UNREACHABLE));
      run.engine.recover();
      Instant back = Instant.now();

      run.load.awaitAllFinished(Duration.ofSeconds(90));
      assertThat(service.isAlive()).as("the service ran through").isTrue();
      assertThat(run.starts()).as("service starts").isEqualTo(1);
      held.forEach(
          (jobKey, body) ->
              assertThat(run.acceptedCompletion(jobKey, fault).map(FaultRun::agentIn))
                  .as("the agent the redelivered job %d completed with", jobKey)
                  .contains(FaultRun.agentIn(body)));
      RunCounts counts = RunCounts.awaitSettled(run, Duration.ofSeconds(45));
      List<ServeEvent> failed =
          run.proxy.exchanges(
              event ->
                  event.getResponse().getStatus() >= 500
                      && event.getRequest().getLoggedDate().toInstant().isAfter(fault)
                      && event.getRequest().getLoggedDate().toInstant().isBefore(back));
      long answeredUnavailable =
          failed.stream().filter(event -> event.getResponse().getStatus() == 503).count();
      counts.report(
          run,
          ("the cluster unreachable for %s with %d completions on their way (connections refused"
                  + " for %s, then 503/UNAVAILABLE for %s, %d completions passed on into each); %d"
                  + " REST calls of the service failed meanwhile (%d on refused connections, %d"
                  + " answered 503)")
              .formatted(
                  seconds(Duration.between(fault, back)),
                  held.size(),
                  seconds(Duration.between(fault, unavailable)),
                  seconds(Duration.between(unavailable, back)),
                  HELD_PER_PHASE,
                  failed.size(),
                  failed.size() - answeredUnavailable,
                  answeredUnavailable),
          "first completion %s after the fault (%s after the cluster came back), GoCD jobs in flight at the fault done after %s"
              .formatted(
                  seconds(run.firstCompletion(fault, refused)),
                  seconds(run.firstCompletion(back, refused)),
                  seconds(Duration.between(fault, run.load.lastFinished(inFlight)))));
      counts.assertClean(run);
      assertThat(failed.size() - answeredUnavailable)
          .as("REST calls on refused connections")
          .isGreaterThanOrEqualTo(HELD_PER_PHASE);
      assertThat(answeredUnavailable)
          .as("REST calls answered 503")
          .isGreaterThanOrEqualTo(HELD_PER_PHASE);
      assertThat(counts.replayed()).as("decisions replayed").isGreaterThanOrEqualTo(held.size());
    }
  }

  /** Sleeps until {@code instant}: a phase of the scenario, which is not a wait for anything. */
  private static void sleepUntil(Instant instant) throws InterruptedException {
    Duration left = Duration.between(Instant.now(), instant);
    if (!left.isNegative()) {
      Thread.sleep(left);
    }
  }
}
