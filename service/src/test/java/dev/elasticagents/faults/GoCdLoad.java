package dev.elasticagents.faults;

import static org.awaitility.Awaitility.await;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.testing.GoCdServer;
import io.camunda.client.api.command.ClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * GoCD jobs flowing through the service as a GoCD server drives them: a new job every {@link #PACE}
 * while fewer than {@code inFlight} run; create-agent sent again every two seconds while a job
 * waits for its agent; a short build; job-completed, sent once and never again; and a server-ping
 * every second listing the agents GoCD knows with their build state ({@code Building} from the
 * moment GoCD saw the agent its job got until the job's completion, {@code Idle} otherwise), so
 * that cleanup and the repair of lost job-completions run throughout. The builds of new jobs can be
 * held on, as builds that run across a restart of the service.
 *
 * <p>GoCD's side also brings two faults of its own ({@link Faults}), on jobs chosen before the run:
 * the first agent of a job is killed before GoCD registers it (its process dies, GoCD never lists
 * it, and its cluster profile's short {@code auto_register_timeout} lets cleanup find out), and the
 * job-completion of a job is lost (never published, so GoCD lists the agent idle from then on). A
 * job-completion the cluster refuses is lost the same way: GoCD never sends it again.
 */
final class GoCdLoad implements AutoCloseable {

  static final Map<String, String> CLUSTER_PROFILE =
      Map.of(
          "id",
          "faults",
          "max_running_agents",
          "16",
          "max_pending_agents",
          "16",
          "idle_timeout",
          "PT3S");

  /** How long an agent of a job chosen to lose its first agent has to register with GoCD. */
  static final Duration SHORT_AUTO_REGISTER_TIMEOUT = Duration.ofSeconds(3);

  private static final Duration PACE = Duration.ofMillis(300);
  private static final Duration RESEND = Duration.ofSeconds(2);
  private static final Duration JOB_LIMIT = Duration.ofSeconds(150);
  private static final Duration POLL = Duration.ofMillis(100);

  private final GoCdServer gocd;
  private final AgentRegistry registry;
  private final LocalAgents agents;
  private final int jobs;
  private final Faults faults;
  private final Semaphore inFlight;
  private final ExecutorService threads;
  private final List<JobIdentifier> played = new ArrayList<>();
  private final Map<Long, Instant> running = new ConcurrentHashMap<>();
  private final Map<Long, Instant> finished = new ConcurrentHashMap<>();
  private final Set<String> knownAgents = ConcurrentHashMap.newKeySet();
  // The agents GoCD runs a build on, with the job of the build.
  private final Map<String, Integer> building = new ConcurrentHashMap<>();
  private final List<Recovery> killed = new CopyOnWriteArrayList<>();
  private final Set<String> killedIds = ConcurrentHashMap.newKeySet();
  private final List<Recovery> dropped = new CopyOnWriteArrayList<>();
  private final List<Future<?>> work = new ArrayList<>();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile Instant started = Instant.now();
  private volatile int scheduled;
  private volatile int heldFrom = Integer.MAX_VALUE;

  GoCdLoad(
      GoCdServer gocd,
      AgentRegistry registry,
      LocalAgents agents,
      int jobs,
      int inFlight,
      Faults faults) {
    this.gocd = gocd;
    this.registry = registry;
    this.agents = agents;
    this.jobs = jobs;
    this.faults = faults;
    this.inFlight = new Semaphore(inFlight);
    this.threads = Executors.newFixedThreadPool(inFlight + 2);
  }

  /**
   * The jobs (by index, 1 to the run's count) whose first agent is killed before GoCD registers it,
   * and those whose job-completion is lost.
   */
  record Faults(Set<Integer> killedBeforeRegistering, Set<Integer> completionDropped) {

    Faults {
      killedBeforeRegistering = Set.copyOf(killedBeforeRegistering);
      completionDropped = Set.copyOf(completionDropped);
    }

    /**
     * {@code each} jobs for each fault, none for both, drawn by {@code seed} from jobs 2 to {@code
     * jobs}.
     */
    static Faults chosen(long seed, int jobs, int each) {
      List<Integer> indexes = new ArrayList<>();
      for (int index = 2; index <= jobs; index++) {
        indexes.add(index);
      }
      java.util.Collections.shuffle(indexes, new Random(seed));
      return new Faults(
          Set.copyOf(indexes.subList(0, each)), Set.copyOf(indexes.subList(each, 2 * each)));
    }

    @Override
    public String toString() {
      return "agents killed before registering for jobs %s, job-completions dropped for jobs %s"
          .formatted(
              new java.util.TreeSet<>(killedBeforeRegistering),
              new java.util.TreeSet<>(completionDropped));
    }
  }

  /**
   * One fault and its end: an agent killed before registering and the job's new agent, or a
   * job-completion lost and the release of its agent.
   *
   * @param how for a lost job-completion, whether it was not sent or the cluster refused it
   */
  record Recovery(int job, String agent, String how, Instant fault, Instant recovered) {
    Duration took() {
      return Duration.between(fault, recovered);
    }

    /** The agent and the GoCD job, as the service's repair names them. */
    String agentForJob() {
      return agent + " for job " + job;
    }
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
      boolean killFirstAgent = faults.killedBeforeRegistering().contains(index);
      Map<String, String> profile =
          random.nextInt(4) == 0 || killFirstAgent
              ? Map.of(
                  "image",
                  "gocd-agent",
                  "reuse_agents",
                  "false") // a new agent, which has to register
              : Map.of("image", "gocd-agent");
      Map<String, String> cluster = new HashMap<>(CLUSTER_PROFILE);
      if (killFirstAgent) {
        cluster.put("auto_register_timeout", SHORT_AUTO_REGISTER_TIMEOUT.toString());
      }
      Map<String, Object> request = GoCdServer.createAgentRequest(index, profile, cluster);
      JobIdentifier job = GoCdServer.jobOf(request);
      synchronized (played) {
        played.add(job);
      }
      running.put(job.jobId(), Instant.now());
      Instant deadline = Instant.now().plus(JOB_LIMIT);
      gocd.createAgent(request);
      Resends resends = new Resends(request);
      String agent = awaitServingAgent(job, resends, deadline, index);
      if (killFirstAgent) {
        agent = killBeforeRegistering(index, job, agent, resends, deadline).orElse(agent);
      }
      knownAgents.add(agent);
      building.put(agent, index);
      Thread.sleep(100 + random.nextInt(400)); // the build
      while (index >= heldFrom) {
        within(deadline, "The build of GoCD job %d was held too long".formatted(index));
        Thread.sleep(100);
      }
      building.remove(agent, index);
      Instant completed = Instant.now();
      Optional<String> lost =
          faults.completionDropped().contains(index)
              ? Optional.of("not sent")
              : sendJobCompleted(agent, request);
      while (servingAgent(job).isPresent()) {
        within(
            deadline,
            "The lifecycle of GoCD job %d did not release agent %s".formatted(index, agent));
        Thread.sleep(POLL);
      }
      if (lost.isPresent()) {
        dropped.add(new Recovery(index, agent, lost.get(), completed, Instant.now()));
      }
      finished.put(job.jobId(), Instant.now());
      running.remove(job.jobId());
      return null;
    } finally {
      inFlight.release();
    }
  }

  /** GoCD asks again every {@link #RESEND} while the job waits for an agent. */
  private final class Resends {
    private final Map<String, Object> request;
    private Instant next = Instant.now().plus(RESEND);

    Resends(Map<String, Object> request) {
      this.request = request;
    }

    void dueOnes() {
      if (Instant.now().isAfter(next)) {
        gocd.createAgent(request);
        next = Instant.now().plus(RESEND);
      }
    }
  }

  private String awaitServingAgent(JobIdentifier job, Resends resends, Instant deadline, int index)
      throws InterruptedException {
    Optional<String> agent = servingAgent(job);
    while (agent.isEmpty()) {
      within(deadline, "GoCD job %d got no agent".formatted(index));
      Thread.sleep(POLL);
      resends.dueOnes();
      agent = servingAgent(job);
    }
    return agent.get();
  }

  /**
   * Kills the process of the job's first agent once it runs, before GoCD lists it, and waits for
   * the job's next agent, asking again as GoCD does: cleanup finds the first one gone (or never
   * registered), its lifecycle ends, and the next create-agent starts a new one. Empty when the
   * agent stopped serving the job before its process ran (then nothing was killed).
   */
  private Optional<String> killBeforeRegistering(
      int index, JobIdentifier job, String agent, Resends resends, Instant deadline)
      throws InterruptedException {
    Optional<ProcessHandle> process = agents.process(agent);
    while (process.isEmpty()) {
      within(deadline, "The first agent %s of GoCD job %d never ran".formatted(agent, index));
      if (!servingAgent(job).equals(Optional.of(agent))) {
        return Optional.empty();
      }
      Thread.sleep(20);
      process = agents.process(agent);
    }
    killedIds.add(agent);
    LocalAgents.kill(process.get());
    Instant fault = Instant.now();
    Optional<String> next = registry.agentOf(job).filter(id -> !id.equals(agent));
    while (next.isEmpty()) {
      within(
          deadline,
          "GoCD job %d got no agent after its agent %s was killed".formatted(index, agent));
      Thread.sleep(POLL);
      resends.dueOnes();
      next = registry.agentOf(job).filter(id -> !id.equals(agent));
    }
    killed.add(new Recovery(index, agent, "killed", fault, Instant.now()));
    return Optional.of(awaitServingAgent(job, resends, deadline, index));
  }

  /**
   * Sends job-completed once; what lost it when the cluster refused it (GoCD does not send it
   * again).
   */
  private Optional<String> sendJobCompleted(String agent, Map<String, Object> request) {
    try {
      gocd.jobCompleted(agent, request);
      return Optional.empty();
    } catch (ClientException e) {
      return Optional.of("refused by the cluster");
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
      gocd.serverPing(
          knownAgents.stream()
              .collect(
                  Collectors.toMap(
                      id -> id, id -> building.containsKey(id) ? "Building" : "Idle")));
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

  /** Whether GoCD's side kills the first agent of this GoCD job. */
  boolean killsFirstAgentOf(long jobId) {
    return faults.killedBeforeRegistering().contains((int) jobId);
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

  /** GoCD jobs finished. */
  Set<Long> finishedJobIds() {
    return Set.copyOf(finished.keySet());
  }

  /** When the last of these jobs finished. */
  Instant lastFinished(Set<Long> jobIds) {
    return jobIds.stream()
        .map(finished::get)
        .filter(Objects::nonNull)
        .max(Instant::compareTo)
        .orElse(Instant.now());
  }

  /** The GoCD jobs played so far. */
  List<JobIdentifier> jobs() {
    synchronized (played) {
      return List.copyOf(played);
    }
  }

  Faults faults() {
    return faults;
  }

  /** The agents killed before registering, each with the job's next agent. */
  List<Recovery> killedAgents() {
    return List.copyOf(killed);
  }

  /** The agents killed so far, or being killed. */
  Set<String> killedAgentIds() {
    return Set.copyOf(killedIds);
  }

  /** The job-completions lost, each with the release of its agent. */
  List<Recovery> droppedCompletions() {
    return List.copyOf(dropped);
  }

  /** Waits until every job finished; fails with the first job that failed. */
  void awaitAllFinished(Duration atMost) {
    await("%d GoCD jobs finished".formatted(jobs))
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
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
