package dev.elasticagents.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.elasticagents.testing.FakeRetryClock;
import io.camunda.client.api.response.ActivatedJob;
import io.camunda.client.impl.CamundaObjectMapper;
import io.camunda.client.impl.response.ActivatedJobImpl;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The dispatcher starts sending each outcome and returns without waiting for the answer, while a
 * bound on outcomes in flight holds back the next handlers when sends do not end. A cluster that
 * answers only when the test lets it stands in for REST; the problem policy, the metrics and the
 * drain are the service's own.
 */
class JobDispatcherTest {

  private static final String TYPE = "create-agent";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final HeldCluster cluster = new HeldCluster();
  private final RecordingHandler handler = new RecordingHandler();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final JobsInFlight jobs = new JobsInFlight();
  private final List<Thread> dispatching = new CopyOnWriteArrayList<>();
  private final ExecutorService shutdown = Executors.newSingleThreadExecutor();
  private OutcomesInFlight outcomes;
  private JobDispatcher dispatcher;

  @AfterEach
  void stop() throws InterruptedException {
    cluster.answerAll();
    dispatching.forEach(Thread::interrupt);
    shutdown.shutdownNow();
    if (outcomes != null) {
      await().atMost(WAIT).until(() -> jobs.running() == 0);
      outcomes.destroy();
    }
  }

  @Test
  void dispatchReturnsOnceTheHandlerDecidedAndTheJobRunsUntilItsOutcomeIsSent() {
    start(4);

    Thread dispatch = dispatch(1);

    awaitReturned(dispatch);
    await().atMost(WAIT).until(() -> cluster.received().contains(1L));
    assertThat(cluster.accepted()).isEmpty();
    assertThat(jobs.running()).isEqualTo(1);
    assertThat(outcomesInFlight()).isEqualTo(1);

    cluster.answer(1);

    await().atMost(WAIT).until(() -> jobs.running() == 0);
    assertThat(cluster.accepted()).containsExactly(1L);
    assertThat(outcomesInFlight()).isZero();
  }

  @Test
  void anOutcomeTheClusterRefusesIsSentAgainOnASenderThreadWhileItKeepsItsPermit() {
    start(1);
    cluster.refusesNext(new Problem.Unavailable(503, "Service Unavailable", "busy"));

    Thread dispatch = dispatch(1);
    awaitReturned(dispatch);
    cluster.answer(1);

    await().atMost(WAIT).until(() -> cluster.received().size() == 2);
    assertThat(cluster.received()).containsExactly(1L, 1L);
    assertThat(cluster.senders()).element(1).isNotSameAs(dispatch);
    assertThat(cluster.senders().get(1).isVirtual()).isTrue();
    assertThat(outcomesInFlight()).isEqualTo(1);
    assertThat(jobs.running()).isEqualTo(1);

    cluster.answer(1);

    await().atMost(WAIT).until(() -> jobs.running() == 0);
    assertThat(cluster.accepted()).containsExactly(1L);
    assertThat(outcomesInFlight()).isZero();
  }

  @Test
  void withTheBoundReachedTheNextHandlerWaitsBeforeItRunsUntilASendEnds() {
    start(2);
    awaitReturned(dispatch(1));
    awaitReturned(dispatch(2));
    await().atMost(WAIT).until(() -> cluster.received().size() == 2);

    Thread third = dispatch(3);

    awaitWaiting(third);
    assertThat(handler.handled).containsExactlyInAnyOrder(1L, 2L);
    assertThat(jobs.running()).isEqualTo(2);
    assertThat(outcomesInFlight()).isEqualTo(2);

    cluster.answer(1);

    awaitReturned(third);
    assertThat(handler.handled).contains(3L);
    cluster.answerAll();
    await().atMost(WAIT).until(() -> jobs.running() == 0);
    assertThat(cluster.accepted()).containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(outcomesInFlight()).isZero();
  }

  @Test
  void aSendThatThrowsStillGivesBackItsPermitAndFinishesItsJob() {
    start(1);
    cluster.breaksOn(1L);

    awaitReturned(dispatch(1));

    await().atMost(WAIT).until(() -> jobs.running() == 0);
    assertThat(outcomesInFlight()).isZero();
    // With the bound at one, the next job runs only if the broken send gave its permit back.
    cluster.answerAll();
    awaitReturned(dispatch(2));
    await().atMost(WAIT).until(() -> cluster.accepted().contains(2L));
    await().atMost(WAIT).until(() -> jobs.running() == 0);
  }

  @Test
  void aDrainWaitsForAnOutcomeStillBeingSent() throws Exception {
    start(4);
    jobs.activated(1);
    awaitReturned(dispatch(1));
    await().atMost(WAIT).until(() -> cluster.received().contains(1L));

    CompletableFuture<JobsInFlight.Drain> drain = drainInBackground();
    await().atMost(WAIT).until(jobs::isDraining);
    assertThat(drain).isNotDone();
    cluster.answer(1);

    assertThat(drain.get(10, TimeUnit.SECONDS))
        .satisfies(
            done -> {
              assertThat(done.finished()).isEqualTo(1);
              assertThat(done.stillRunning()).isZero();
            });
    assertThat(cluster.accepted()).containsExactly(1L);
  }

  @Test
  void aJobDispatchedWhileTheServiceDrainsIsLeftToZeebeAndGivesItsPermitBack() throws Exception {
    start(1);
    jobs.drain(Duration.ZERO);

    awaitReturned(dispatch(1));
    jobs.open();
    awaitReturned(dispatch(2));

    assertThat(handler.handled).containsExactly(2L);
    cluster.answerAll();
    await().atMost(WAIT).until(() -> jobs.running() == 0);
    assertThat(cluster.received()).containsExactly(2L);
  }

  @Test
  void aHandlerInterruptedWhileItWaitsLeavesItsJobToZeebe() {
    start(1);
    awaitReturned(dispatch(1));
    await().atMost(WAIT).until(() -> cluster.received().contains(1L));
    Thread second = dispatch(2);
    awaitWaiting(second);

    second.interrupt();

    awaitReturned(second);
    assertThat(handler.handled).containsExactly(1L);
    assertThat(jobs.running()).isEqualTo(1);
    cluster.answer(1);
    await().atMost(WAIT).until(() -> jobs.running() == 0);
    assertThat(cluster.received()).containsExactly(1L);
  }

  @Test
  void aJobWhoseDeadlineComesWhileSendsAreStuckIsLeftToZeebe() {
    start(1);
    awaitReturned(dispatch(1));
    await().atMost(WAIT).until(() -> cluster.received().contains(1L));

    awaitReturned(dispatch(job(2, Instant.now().minusSeconds(1))));

    assertThat(handler.handled).containsExactly(1L);
    assertThat(jobs.running()).isEqualTo(1);
  }

  @Test
  void theBoundIsAtLeastOne() {
    assertThatThrownBy(() -> properties(0))
        .hasRootCauseInstanceOf(IllegalArgumentException.class)
        .hasRootCauseMessage("max-outcomes-in-flight must be at least 1, got 0");
    assertThat(properties(1).maxOutcomesInFlight()).isEqualTo(1);
    assertThat(
            new Binder(new MapConfigurationPropertySource(Map.of()))
                .bindOrCreate("job-workers", WorkerProperties.class)
                .maxOutcomesInFlight())
        .isEqualTo(128);
  }

  private void start(int maxOutcomesInFlight) {
    WorkerProperties properties = properties(maxOutcomesInFlight);
    OutcomeMetrics metrics = new OutcomeMetrics(meters);
    OutcomeSender sender =
        new OutcomeSender(
            cluster,
            new ProblemPolicies(properties),
            metrics,
            new ClusterCredentialsHealthIndicator(),
            new FakeRetryClock());
    outcomes = new OutcomesInFlight(sender, properties, meters);
    dispatcher = new JobDispatcher(outcomes, metrics, properties, jobs);
  }

  private static WorkerProperties properties(int maxOutcomesInFlight) {
    return new Binder(
            new MapConfigurationPropertySource(
                Map.of("job-workers.max-outcomes-in-flight", String.valueOf(maxOutcomesInFlight))))
        .bindOrCreate("job-workers", WorkerProperties.class);
  }

  private Thread dispatch(long key) {
    return dispatch(job(key, Instant.now().plus(Duration.ofMinutes(5))));
  }

  /** Dispatches on a thread of its own, as the worker does. */
  private Thread dispatch(ActivatedJob job) {
    Thread thread =
        Thread.ofPlatform()
            .name("dispatch-" + job.getKey())
            .start(() -> dispatcher.dispatch(handler, job));
    dispatching.add(thread);
    return thread;
  }

  private static void awaitReturned(Thread dispatch) {
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(dispatch.isAlive()).as("%s returned", dispatch).isFalse());
  }

  /** A dispatch waits for a permit, with the job's deadline as its bound, before its handler. */
  private static void awaitWaiting(Thread dispatch) {
    await().atMost(WAIT).until(() -> dispatch.getState() == Thread.State.TIMED_WAITING);
  }

  private double outcomesInFlight() {
    return meters.get("zeebe.worker.outcomes.in.flight").gauge().value();
  }

  private CompletableFuture<JobsInFlight.Drain> drainInBackground() {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return jobs.drain(Duration.ofSeconds(30));
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        },
        shutdown);
  }

  private static ActivatedJob job(long key, Instant deadline) {
    return new ActivatedJobImpl(
        new CamundaObjectMapper(),
        GatewayOuterClass.ActivatedJob.newBuilder()
            .setKey(key)
            .setType(TYPE)
            .setBpmnProcessId("process")
            .setElementId("task")
            .setRetries(3)
            .setDeadline(deadline.toEpochMilli())
            .setCustomHeaders("{}")
            .setVariables("{}")
            .build());
  }

  /** Completes every job it is given, recording which. */
  private static final class RecordingHandler implements JobHandler {

    private final List<Long> handled = new CopyOnWriteArrayList<>();

    @Override
    public String jobType() {
      return TYPE;
    }

    @Override
    public List<String> fetchVariables() {
      return List.of();
    }

    @Override
    public JobOutcome handle(ActivatedJob job) {
      handled.add(job.getKey());
      return JobOutcome.complete(Map.of());
    }
  }

  /**
   * A cluster that answers each outcome only when the test lets it, one answer per permit it
   * releases, in the order the outcomes came, and breaks unexpectedly on the jobs the test names.
   */
  private static final class HeldCluster extends RestCommands {

    private final List<Long> received = new CopyOnWriteArrayList<>();
    private final List<Thread> senders = new CopyOnWriteArrayList<>();
    private final List<Long> accepted = new CopyOnWriteArrayList<>();
    private final Set<Long> broken = ConcurrentHashMap.newKeySet();
    private final Deque<Held> held = new ArrayDeque<>();
    private final Deque<Problem> refusals = new ArrayDeque<>();
    private int answers;

    HeldCluster() {
      super(null, Duration.ofSeconds(10), Transport.REST);
    }

    private record Held(long jobKey, CompletableFuture<Optional<Problem>> answer) {}

    @Override
    public CompletionStage<Optional<Problem>> sendAsync(long jobKey, JobOutcome outcome) {
      received.add(jobKey);
      senders.add(Thread.currentThread());
      if (broken.contains(jobKey)) {
        throw new IllegalStateException("the cluster broke unexpectedly");
      }
      CompletableFuture<Optional<Problem>> answer = new CompletableFuture<>();
      synchronized (this) {
        held.add(new Held(jobKey, answer));
      }
      answerDue();
      return answer;
    }

    void answer(int count) {
      synchronized (this) {
        answers += count;
      }
      answerDue();
    }

    void answerAll() {
      answer(10_000);
    }

    /** Answers outside the lock: an answer runs the sender's callbacks on this thread. */
    private void answerDue() {
      Map<Held, Optional<Problem>> due = new LinkedHashMap<>();
      synchronized (this) {
        while (answers > 0 && !held.isEmpty()) {
          answers--;
          due.put(held.poll(), Optional.ofNullable(refusals.poll()));
        }
      }
      due.forEach(
          (outcome, refusal) -> {
            if (refusal.isEmpty()) {
              accepted.add(outcome.jobKey());
            }
            outcome.answer().complete(refusal);
          });
    }

    /** The next answer refuses the outcome with {@code problem}. */
    synchronized void refusesNext(Problem problem) {
      refusals.add(problem);
    }

    List<Thread> senders() {
      return List.copyOf(senders);
    }

    void breaksOn(long jobKey) {
      broken.add(jobKey);
    }

    List<Long> received() {
      return List.copyOf(received);
    }

    List<Long> accepted() {
      return List.copyOf(accepted);
    }
  }
}
