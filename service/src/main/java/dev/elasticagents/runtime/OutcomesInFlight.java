package dev.elasticagents.runtime;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Sends job outcomes off the handlers' threads, at most {@code job-workers.max-outcomes-in-flight}
 * at once. The client counts a job against its worker's {@code max-jobs-active} until the handler
 * returns: the handler starts sending its outcome and returns as soon as it has decided, without
 * waiting for the answer, so a slow send (a REST call, the problem policy's back-offs) holds no job
 * slot. An accepted outcome ends on the HTTP client's thread that read the answer, with no thread
 * of its own; an outcome the cluster did not accept goes to a virtual thread of its own, where the
 * problem policy may wait and send again.
 *
 * <p>A job takes its permit before its handler runs, and the send gives it back once it ended. So
 * when the cluster pushes back (503, 429) and sends pile up in their back-offs, the next handlers
 * wait for a permit while they hold their job slots: the workers stop activating jobs, and no
 * handler decides (launches something) whose outcome could not be sent.
 *
 * <p>It owns the permits, the senders' threads and the count of outcomes being sent, which the
 * gauge {@code zeebe.worker.outcomes.in.flight} reads.
 */
@Component
public class OutcomesInFlight implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(OutcomesInFlight.class);

  private final OutcomeSender sender;
  private final Duration requestTimeout;
  private final Semaphore permits;
  private final AtomicInteger sending = new AtomicInteger();
  private final ExecutorService sends =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("outcome-sender-", 0).factory());

  public OutcomesInFlight(OutcomeSender sender, WorkerProperties properties, MeterRegistry meters) {
    this.sender = sender;
    this.requestTimeout = properties.requestTimeout();
    // Fair: under back-pressure the handler that has waited longest, whose job's deadline comes
    // first, runs first.
    this.permits = new Semaphore(properties.maxOutcomesInFlight(), true);
    Gauge.builder("zeebe.worker.outcomes.in.flight", sending, AtomicInteger::get)
        .description(
            "Job outcomes being sent (REST calls and the problem policy's back-offs), at most"
                + " job-workers.max-outcomes-in-flight")
        .register(meters);
  }

  /**
   * Waits for the permit to send a job's outcome, at most until the job's deadline: past it Zeebe
   * hands the job out again, and a handler that ran on it would decide for nothing.
   *
   * @return the permit, or empty when the job's deadline came first
   * @throws InterruptedException when the thread is interrupted while it waits, as the client's
   *     executor does to the handlers' threads when it closes
   */
  Optional<Permit> take(JobRef job) throws InterruptedException {
    long timeout = Math.max(0, Duration.between(Instant.now(), job.deadline()).toMillis());
    if (!permits.tryAcquire(timeout, TimeUnit.MILLISECONDS)) {
      return Optional.empty();
    }
    return Optional.of(new Permit(job));
  }

  /** Outcomes being sent now. */
  int sending() {
    return sending.get();
  }

  /**
   * Interrupts the problem policies still running, which stops their back-offs, and waits up to one
   * request timeout for them to end. By now the workers' drain has given them its grace period:
   * what still runs is left to Zeebe, which hands the job out again when its timeout ends.
   */
  @Override
  public void destroy() throws InterruptedException {
    sends.shutdownNow();
    if (!sends.awaitTermination(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
      log.warn(
          "{} job outcome(s) still being sent when the service stopped; Zeebe hands their jobs out"
              + " again when their timeouts end",
          sending.get());
    }
  }

  /**
   * Starts the outcome's first attempt and returns without waiting for its answer. An accepted
   * outcome, nearly every one, ends on the thread that read the answer; a problem goes to a sender
   * thread of its own, where the policy may wait and send again.
   */
  private void send(JobRef job, JobOutcome outcome, Runnable whenDone) {
    CompletionStage<Optional<Problem>> first;
    try {
      first = sender.firstAttempt(job, outcome);
    } catch (RuntimeException e) {
      failed(job, outcome, e);
      release(whenDone);
      return;
    }
    first.whenComplete(
        (problem, failure) -> {
          if (failure != null) {
            failed(job, outcome, failure);
          } else if (problem.isPresent()) {
            applyPolicy(job, outcome, problem.get(), whenDone);
            return;
          }
          release(whenDone);
        });
  }

  private void applyPolicy(JobRef job, JobOutcome outcome, Problem problem, Runnable whenDone) {
    Runnable policy =
        () -> {
          try {
            sender.applyPolicy(job, outcome, problem);
          } catch (RuntimeException e) {
            failed(job, outcome, e);
          } finally {
            release(whenDone);
          }
        };
    try {
      sends.execute(policy);
    } catch (RejectedExecutionException e) {
      // The senders have stopped, the service with them: no thread is left to wait out a back-off.
      log.info(
          "Left job {} of type '{}' to Zeebe: the cluster answered {} to its {} while the service"
              + " stopped; Zeebe hands it out again when its timeout ends",
          job.key(),
          job.type(),
          problem.summary(),
          outcome.kind());
      release(whenDone);
    }
  }

  private static void failed(JobRef job, JobOutcome outcome, Throwable failure) {
    log.error(
        "Sending {} for job {} of type '{}' failed unexpectedly; Zeebe hands the job out again"
            + " when its timeout ends",
        outcome.kind(),
        job.key(),
        job.type(),
        failure);
  }

  private void release(Runnable whenDone) {
    sending.decrementAndGet();
    permits.release();
    whenDone.run();
  }

  /**
   * The permit one job took for its outcome: the outcome is sent with it, or it is given back
   * unused. Only the thread that took it uses it, once.
   */
  final class Permit {

    private final JobRef job;
    private boolean used;

    private Permit(JobRef job) {
      this.job = job;
    }

    /**
     * Sends the outcome and returns without waiting for the cluster's answer. The send keeps the
     * permit until it ended (sent, or the problem policy gave up or fell back), however it ended;
     * then it gives the permit back and runs {@code whenDone}.
     */
    void send(JobOutcome outcome, Runnable whenDone) {
      if (used) {
        throw new IllegalStateException("The permit of job %d was used".formatted(job.key()));
      }
      used = true;
      sending.incrementAndGet();
      OutcomesInFlight.this.send(job, outcome, whenDone);
    }

    /** Gives the permit back without sending anything: the job is left to Zeebe. */
    void giveBack() {
      if (!used) {
        used = true;
        permits.release();
      }
    }
  }
}
