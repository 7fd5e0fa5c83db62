package dev.elasticagents.benchmark;

import io.camunda.client.CamundaClient;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The REST ceiling for a no-op handler: a plain client worker that activates {@code benchmark-noop}
 * jobs over gRPC, as the service does (stream enabled, 32 jobs active), and completes each over
 * REST without waiting for the answer, so no handler thread is ever held.
 *
 * <p>Arguments: the gRPC address and the REST address.
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
    client
        .newWorker()
        .jobType(StarterPeer.NOOP)
        .handler(
            (jobClient, job) ->
                client
                    .newCompleteCommand(job.getKey())
                    .useRest()
                    .send()
                    .whenComplete(
                        (done, failure) -> {
                          if (failure != null && refused.incrementAndGet() % 100 == 1) {
                            System.out.println("Completion refused: " + failure);
                          }
                        }))
        .maxJobsActive(32)
        .streamEnabled(true)
        .open();
    System.out.println(PeerProcess.READY);
    Thread.currentThread().join();
  }
}
