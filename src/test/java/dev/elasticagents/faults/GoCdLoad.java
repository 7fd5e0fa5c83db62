package dev.elasticagents.faults;

import static org.awaitility.Awaitility.await;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentRegistry;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.GoCdServer;
import dev.elasticagents.agent.JobIdentifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * GoCD jobs flowing through the service as a GoCD server drives them: a new job every
 * {@link #PACE} while fewer than {@code inFlight} run; create-agent sent again every two seconds
 * while a job waits for its agent; a short build; job-completed; and a server-ping every second
 * listing the agents GoCD knows, so that cleanup runs throughout. The builds of new jobs can be
 * held on, as builds that run across a restart of the service.
 */
final class GoCdLoad implements AutoCloseable {

  static final Map<String, String> CLUSTER_PROFILE =
      Map.of("id", "faults", "max_running_agents", "16", "max_pending_agents", "16", "idle_timeout", "PT3S");
  private static final Duration PACE = Duration.ofMillis(300);
  private static final Duration RESEND = Duration.ofSeconds(2);
  private static final Duration JOB_LIMIT = Duration.ofSeconds(150);

  private final GoCdServer gocd;
  private final AgentRegistry registry;
  private final int jobs;
  private final Semaphore inFlight;
  private final ExecutorService threads;
  private final List<JobIdentifier> played = new ArrayList<>();
  private final Map<Long, Instant> running = new ConcurrentHashMap<>();
  private final Map<Long, Instant> finished = new ConcurrentHashMap<>();
  private final Set<String> knownAgents = ConcurrentHashMap.newKeySet();
  private final List<Future<?>> work = new ArrayList<>();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile Instant started = Instant.now();
  private volatile int scheduled;
  private volatile int heldFrom = Integer.MAX_VALUE;

  GoCdLoad(GoCdServer gocd, AgentRegistry registry, int jobs, int inFlight) {
    this.gocd = gocd;
    this.registry = registry;
    this.jobs = jobs;
    this.inFlight = new Semaphore(inFlight);
    this.threads = Executors.newFixedThreadPool(inFlight + 2);
  }

  /** Starts scheduling jobs and pinging. */
  void start() {
    started = Instant.now();
    synchronized (work) {
      work.add(threads.submit(this::schedule));
      work.add(threads.submit(this::ping));
    }
  }

  private Void schedule() throws Exception {
    for (int index = 1; index <= jobs && !stopped.get(); index++) {
      if (!inFlight.tryAcquire(JOB_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("No GoCD job finished within " + JOB_LIMIT);
      }
      int job = index;
      scheduled = index;
      synchronized (work) {
        work.add(threads.submit(() -> play(job)));
      }
      Thread.sleep(PACE); // pacing the load
    }
    return null;
  }

  private Void play(int index) throws InterruptedException {
    try {
      Random random = new Random(index);
      Map<String, String> profile =
          random.nextInt(4) == 0 ? Map.of("image", "gocd-agent", "reuse_agents", "false") : Map.of("image", "gocd-agent");
      Map<String, Object> request = GoCdServer.createAgentRequest(index, profile, CLUSTER_PROFILE);
      JobIdentifier job = GoCdServer.jobOf(request);
      synchronized (played) {
        played.add(job);
      }
      running.put(job.jobId(), Instant.now());
      Instant deadline = Instant.now().plus(JOB_LIMIT);
      gocd.createAgent(request);
      Instant resend = Instant.now().plus(RESEND);
      Optional<String> agent = servingAgent(job);
      while (agent.isEmpty()) {
        within(deadline, "GoCD job %d got no agent".formatted(index));
        Thread.sleep(200);
        if (Instant.now().isAfter(resend)) {
          gocd.createAgent(request); // GoCD asks again while the job waits
          resend = Instant.now().plus(RESEND);
        }
        agent = servingAgent(job);
      }
      knownAgents.add(agent.get());
      Thread.sleep(100 + random.nextInt(400)); // the build
      while (index >= heldFrom) {
        within(deadline, "The build of GoCD job %d was held too long".formatted(index));
        Thread.sleep(100);
      }
      gocd.jobCompleted(agent.get(), request);
      while (servingAgent(job).isPresent()) {
        within(deadline, "The lifecycle of GoCD job %d did not release agent %s".formatted(index, agent.get()));
        Thread.sleep(100);
      }
      finished.put(job.jobId(), Instant.now());
      running.remove(job.jobId());
      return null;
    } finally {
      inFlight.release();
    }
  }

  private static void within(Instant deadline, String failure) {
    if (Instant.now().isAfter(deadline)) {
      throw new AssertionError(failure + " within " + JOB_LIMIT);
    }
  }

  /** The agent serving the job now: given to it, and neither released nor terminated. */
  private Optional<String> servingAgent(JobIdentifier job) {
    return registry
        .agentOf(job)
        .flatMap(registry::find)
        .filter(agent -> agent.state() == AgentState.PENDING || agent.state() == AgentState.BUSY)
        .filter(agent -> agent.jobKey().equals(Optional.of(String.valueOf(job.jobId()))))
        .map(Agent::id);
  }

  private Void ping() throws InterruptedException {
    while (!stopped.get()) {
      gocd.serverPing(List.copyOf(knownAgents));
      Thread.sleep(1000);
    }
    return null;
  }

  /**
   * From now on, the builds of jobs scheduled from now on run until {@link #finishBuilds()}: GoCD
   * reports them completed only then. Jobs already scheduled finish as before.
   */
  void holdBuildsOfNewJobs() {
    heldFrom = scheduled + 1;
  }

  /** Whether the build of this GoCD job is held on. */
  boolean buildHeld(long jobId) {
    return jobId >= heldFrom;
  }

  void finishBuilds() {
    heldFrom = Integer.MAX_VALUE;
  }

  /** When the first job was scheduled. */
  Instant started() {
    return started;
  }

  int finishedJobs() {
    return finished.size();
  }

  /** GoCD jobs scheduled and not finished yet. */
  Set<Long> runningJobs() {
    return Set.copyOf(running.keySet());
  }

  /** When the last of these jobs finished. */
  Instant lastFinished(Set<Long> jobIds) {
    return jobIds.stream().map(finished::get).filter(Objects::nonNull).max(Instant::compareTo).orElse(Instant.now());
  }

  /** The GoCD jobs played so far. */
  List<JobIdentifier> jobs() {
    synchronized (played) {
      return List.copyOf(played);
    }
  }

  /** Waits until every job finished; fails with the first job that failed. */
  void awaitAllFinished(Duration atMost) {
    await("%d GoCD jobs finished".formatted(jobs))
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> {
          for (Future<?> future : futures()) {
            if (future.isDone()) {
              failureOf(future);
            }
          }
          return finished.size() == jobs;
        });
  }

  private List<Future<?>> futures() {
    synchronized (work) {
      return List.copyOf(work);
    }
  }

  private static void failureOf(Future<?> future) throws InterruptedException {
    try {
      future.get();
    } catch (ExecutionException e) {
      throw new AssertionError("GoCD's side failed: " + e.getCause().getMessage(), e.getCause());
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopped.set(true);
    threads.shutdownNow();
    threads.awaitTermination(10, TimeUnit.SECONDS);
  }
}
