package dev.elasticagents.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a shutdown waits for and what it leaves to Zeebe. */
class JobsInFlightTest {

  private final JobsInFlight jobs = new JobsInFlight();
  private final ExecutorService shutdown = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    shutdown.shutdownNow();
  }

  @Test
  void aDrainWaitsForTheHandlersThatRunToFinish() throws Exception {
    jobs.activated(1);
    assertThat(jobs.tryStart()).isTrue();

    CompletableFuture<JobsInFlight.Drain> drain = drainInBackground(Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(5)).until(jobs::isDraining);
    assertThat(drain).isNotDone();
    jobs.finished();

    assertThat(drain.get(5, TimeUnit.SECONDS))
        .satisfies(
            done -> {
              assertThat(done.finished()).isEqualTo(1);
              assertThat(done.stillRunning()).isZero();
              assertThat(done.handedBack()).isZero();
            });
  }

  @Test
  void noHandlerStartsOnceADrainBegan() throws Exception {
    jobs.activated(3);
    assertThat(jobs.tryStart()).isTrue();
    CompletableFuture<JobsInFlight.Drain> drain = drainInBackground(Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(5)).until(jobs::isDraining);

    assertThat(jobs.tryStart()).isFalse();
    assertThat(jobs.tryStart()).isFalse();
    jobs.finished();

    assertThat(drain.get(5, TimeUnit.SECONDS).handedBack()).isEqualTo(2);
  }

  @Test
  void aDrainEndsWhenTheGracePeriodEndsAndSaysWhatStillRuns() throws Exception {
    jobs.activated(1);
    assertThat(jobs.tryStart()).isTrue();

    JobsInFlight.Drain drain = jobs.drain(Duration.ofMillis(200));

    assertThat(drain.stillRunning()).isEqualTo(1);
    assertThat(drain.finished()).isZero();
    assertThat(drain.took()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
  }

  @Test
  void aDrainWithNothingRunningEndsAtOnce() throws Exception {
    JobsInFlight.Drain drain = jobs.drain(Duration.ofSeconds(30));

    assertThat(drain.took()).isLessThan(Duration.ofSeconds(5));
    assertThat(drain.stillRunning()).isZero();
  }

  @Test
  void workersOpenedAgainStartHandlersAgain() throws Exception {
    jobs.drain(Duration.ZERO);

    jobs.open();

    assertThat(jobs.tryStart()).isTrue();
  }

  private CompletableFuture<JobsInFlight.Drain> drainInBackground(Duration grace) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return jobs.drain(grace);
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        },
        shutdown);
  }
}
