package dev.elasticagents.runtime;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
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
 * returns: sending each outcome on a virtual thread of its own lets the handler return as soon as
 * it has decided, so a slow send (a REST call, the problem policy's back-offs) holds no job slot.
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
   * Interrupts the sends still running, which stops their back-offs, and waits up to one request
   * timeout for them to end. By now the workers' drain has given them its grace period: what still
   * runs is left to Zeebe, which hands the job out again when its timeout ends.
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

  private void sendThenRelease(JobRef job, JobOutcome outcome, Runnable whenDone) {
    try {
      sender.send(job, outcome);
    } catch (RuntimeException e) {
      log.error(
          "Sending {} for job {} of type '{}' failed unexpectedly; Zeebe hands the job out again"
              + " when its timeout ends",
          outcome.kind(),
          job.key(),
          job.type(),
          e);
    } finally {
      sending.decrementAndGet();
      permits.release();
      whenDone.run();
    }
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
     * Sends the outcome on a virtual thread of its own and returns at once. The send keeps the
     * permit until it ended (sent, or the problem policy gave up or fell back), however it ended;
     * then it gives the permit back and runs {@code whenDone}.
     */
    void send(JobOutcome outcome, Runnable whenDone) {
      if (used) {
        throw new IllegalStateException("The permit of job %d was used".formatted(job.key()));
      }
      used = true;
      sending.incrementAndGet();
      Runnable send = () -> sendThenRelease(job, outcome, whenDone);
      try {
        sends.execute(send);
      } catch (RejectedExecutionException e) {
        // The senders have stopped, the service with them: send on this thread, not lose it.
        send.run();
      }
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
