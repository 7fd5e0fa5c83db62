package dev.elasticagents.benchmark;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.command.ClientStatusException;
import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A burst: {@code jobs} instances created at once, each waited for with its result; the time from
 * the first creation to the last result. Creations the broker refuses for back-pressure are sent
 * again after a pause that doubles with each refusal (up to a second, with jitter), as a client
 * under load does, rather than in a storm that would load the broker more than the burst.
 */
final class Burst {

  private static final int MAX_ATTEMPTS = 30;
  private static final long FIRST_PAUSE_MILLIS = 50;
  private static final long LONGEST_PAUSE_MILLIS = 1_000;

  /** How long the burst took and how often the broker pushed back. */
  record Result(Duration took, int jobs, int backPressured) {

    double seconds() {
      return took.toNanos() / 1e9;
    }
  }

  private final CamundaClient client;
  private final String processId;

  Burst(CamundaClient client, String processId) {
    this.client = client;
    this.processId = processId;
  }

  Result run(IntFunction<Map<String, Object>> variables, int jobs, Duration atMost)
      throws Exception {
    AtomicInteger backPressured = new AtomicInteger();
    ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
    try {
      long start = System.nanoTime();
      CompletableFuture<?>[] results = new CompletableFuture<?>[jobs];
      for (int job = 0; job < jobs; job++) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        create(variables.apply(job), atMost, 1, result, retries, backPressured);
        results[job] = result;
      }
      CompletableFuture.allOf(results).get(atMost.toSeconds() + 10, TimeUnit.SECONDS);
      return new Result(Duration.ofNanos(System.nanoTime() - start), jobs, backPressured.get());
    } finally {
      retries.shutdownNow();
    }
  }

  private void create(
      Map<String, Object> variables,
      Duration atMost,
      int attempt,
      CompletableFuture<Void> result,
      ScheduledExecutorService retries,
      AtomicInteger backPressured) {
    client
        .newCreateInstanceCommand()
        .bpmnProcessId(processId)
        .latestVersion()
        .variables(variables)
        .withResult()
        .requestTimeout(atMost)
        .send()
        .whenComplete(
            (done, failure) -> {
              if (failure == null) {
                result.complete(null);
              } else if (isBackPressure(failure) && attempt < MAX_ATTEMPTS) {
                backPressured.incrementAndGet();
                long pause =
                    Math.min(LONGEST_PAUSE_MILLIS, FIRST_PAUSE_MILLIS << Math.min(attempt - 1, 10));
                retries.schedule(
                    () -> create(variables, atMost, attempt + 1, result, retries, backPressured),
                    ThreadLocalRandom.current().nextLong(pause / 2, pause + 1),
                    TimeUnit.MILLISECONDS);
              } else {
                result.completeExceptionally(failure);
              }
            });
  }

  static boolean isBackPressure(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof ClientStatusException status
          && status.getStatusCode() == Status.Code.RESOURCE_EXHAUSTED) {
        return true;
      }
    }
    return Status.fromThrowable(failure).getCode() == Status.Code.RESOURCE_EXHAUSTED;
  }
}
