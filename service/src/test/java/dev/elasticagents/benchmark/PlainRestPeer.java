package dev.elasticagents.benchmark;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.worker.JobHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The REST ceiling for a no-op handler: a plain client worker that activates {@code benchmark-noop}
 * jobs over gRPC, as the service does (stream enabled, 32 jobs active), and completes each over
 * REST without waiting for the answer, so no handler thread is ever held: with the Camunda client's
 * own REST stack (Apache HttpClient 5), or, to weigh that stack, with the JDK's HTTP client posting
 * the same request ({@code POST /v2/jobs/{key}/completion}).
 *
 * <p>Arguments: the gRPC address, the REST address, and {@code jdk} to complete with the JDK's
 * client.
 */
public final class PlainRestPeer {

  private PlainRestPeer() {}

  @SuppressWarnings("deprecation") // the per-command protocol choice, as the service makes it
  public static void main(String[] args) throws InterruptedException {
    CamundaClient client =
        CamundaClient.newClientBuilder()
            .grpcAddress(URI.create(args[0]))
            .restAddress(URI.create(args[1]))
            .preferRestOverGrpc(false)
            .build();
    AtomicLong refused = new AtomicLong();
    BiConsumer<Object, Throwable> counted =
        (done, failure) -> {
          if (failure != null && refused.incrementAndGet() % 100 == 1) {
            System.out.println("Completion refused: " + failure);
          }
        };
    JobHandler completion =
        args.length > 2 && args[2].equals("jdk")
            ? jdkCompletion(URI.create(args[1]), counted)
            : (jobClient, job) ->
                client.newCompleteCommand(job.getKey()).useRest().send().whenComplete(counted);
    client
        .newWorker()
        .jobType(StarterPeer.NOOP)
        .handler(completion)
        .maxJobsActive(32)
        .streamEnabled(true)
        .open();
    System.out.println(PeerProcess.READY);
    Thread.currentThread().join();
  }

  private static JobHandler jdkCompletion(URI rest, BiConsumer<Object, Throwable> counted) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    return (jobClient, job) ->
        http.sendAsync(
                HttpRequest.newBuilder(rest.resolve("/v2/jobs/" + job.getKey() + "/completion"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(),
                HttpResponse.BodyHandlers.discarding())
            .thenApply(
                response -> {
                  if (response.statusCode() != 204) {
                    throw new IllegalStateException("HTTP " + response.statusCode());
                  }
                  return response;
                })
            .whenComplete(counted);
  }
}
