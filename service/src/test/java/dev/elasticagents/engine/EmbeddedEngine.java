package dev.elasticagents.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camunda.client.CamundaClient;
import io.camunda.zeebe.process.test.api.ZeebeTestEngine;
import io.camunda.zeebe.process.test.engine.EngineFactory;
import io.camunda.zeebe.process.test.filters.RecordStream;
import io.camunda.zeebe.protocol.record.Record;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Camunda 8.8 engine for development and tests: zeebe-process-test's engine, in memory and in
 * process, with its gRPC gateway and the Camunda REST API ({@link CamundaRestApi}) on 127.0.0.1.
 * Jobs stream to workers as they do from a broker.
 *
 * <p>What it is not: one partition, in memory, no back-pressure, no exporters, no authentication;
 * nothing survives {@link #close()}. Production runs against a real cluster.
 */
public final class EmbeddedEngine implements AutoCloseable {

  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);

  private final ZeebeTestEngine engine;
  private final EngineInternals internals;
  private final EngineCommands commands;
  private final ServerServiceDefinition gatewayService;
  private final Reachability reachability;
  private final ReportedVersion version;
  private final RecordLog records;
  private final int grpcPort;
  private final int restPort;
  // Both replaced while the engine refuses connections; one owner, this object.
  private volatile Server grpc;
  private volatile RestFront rest;

  private EmbeddedEngine(int grpcPort, int restPort, ReportedVersion version) {
    this.grpcPort = grpcPort;
    this.engine = EngineFactory.create(grpcPort);
    this.internals = EngineInternals.of(engine);
    this.commands = new EngineCommands(internals);
    this.reachability = new Reachability();
    this.records = new RecordLog(engine.getRecordStreamSource());
    this.version = version;
    this.gatewayService =
        EngineGrpcService.of(
            internals.gateway(), commands, new ListenerJobs(records), reachability, version);
    internals.startProcessing();
    this.grpc = serveGateway();
    try {
      this.rest = RestFront.start(restPort, commands, reachability, version);
    } catch (RuntimeException e) {
      grpc.shutdownNow();
      internals.stop();
      throw e;
    }
    this.restPort = rest.port();
  }

  /** Starts an engine with its gateway and REST API on free loopback ports. */
  public static EmbeddedEngine start() {
    return start(0, 0);
  }

  /** Starts an engine with its gateway and REST API on these loopback ports, 0 for a free one. */
  public static EmbeddedEngine start(int grpcPort, int restPort) {
    return new EmbeddedEngine(
        grpcPort == 0 ? freeLoopbackPort() : grpcPort, restPort, ReportedVersion.ENGINE);
  }

  /**
   * Starts an engine whose topology reports another version, as a gateway of that version would:
   * for what a client decides from the version alone. The engine itself stays 8.8.
   */
  public static EmbeddedEngine startReportingVersion(String version) {
    return new EmbeddedEngine(freeLoopbackPort(), 0, new ReportedVersion(version));
  }

  /** The gRPC gateway, for activating jobs. */
  public URI grpcAddress() {
    return URI.create("http://127.0.0.1:" + grpcPort);
  }

  /** The REST API, for {@code /v2} calls. */
  public URI restAddress() {
    return URI.create("http://127.0.0.1:" + restPort);
  }

  /**
   * A client of this engine as the service is one: jobs activated over gRPC, commands over REST
   * only where asked. The caller closes it.
   */
  public CamundaClient newClient() {
    return CamundaClient.newClientBuilder()
        .grpcAddress(grpcAddress())
        .restAddress(restAddress())
        .preferRestOverGrpc(false)
        .build();
  }

  /** Everything the engine recorded so far, for assertions: a snapshot, safe to read anywhere. */
  public RecordStream records() {
    List<Record<?>> snapshot = records.snapshot();
    return RecordStream.of(() -> snapshot);
  }

  /** Moves the engine's clock: due timers fire, as after that much time on a broker. */
  public void increaseTime(Duration duration) {
    engine.increaseTime(duration);
    awaitIdle();
  }

  /** Waits until the engine has processed everything written so far. */
  public void awaitIdle() {
    try {
      engine.waitForIdleState(IDLE_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the engine", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("The engine was still busy after " + IDLE_TIMEOUT, e);
    }
  }

  /**
   * Assigns a user task, as {@code POST /v2/user-tasks/{key}/assignment} does, and returns once the
   * engine has processed the command. The engine answers only when the task's assigning listeners
   * have decided; the returned future completes then, or exceptionally with the denial.
   */
  public CompletableFuture<Void> assignUserTask(long userTaskKey, String assignee) {
    CompletableFuture<Void> answer = commands.assignUserTask(userTaskKey, assignee, null);
    awaitIdle();
    return answer;
  }

  /**
   * Completes a user task, as {@code POST /v2/user-tasks/{key}/completion} does, and returns once
   * the engine has processed the command; the returned future completes when the completing
   * listeners have decided.
   */
  public CompletableFuture<Void> completeUserTask(long userTaskKey, Map<String, Object> variables) {
    String json;
    try {
      json = variables.isEmpty() ? "" : new ObjectMapper().writeValueAsString(variables);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("The variables cannot be written as JSON", e);
    }
    CompletableFuture<Void> answer = commands.completeUserTask(userTaskKey, json, null);
    awaitIdle();
    return answer;
  }

  /**
   * The cluster goes down: the gateway and the REST API close their ports, so connections are
   * refused and open job streams end. The engine keeps its state and its clock.
   */
  public synchronized void refuseConnections() {
    reachability.set(Reachability.State.REFUSING_CONNECTIONS);
    if (!grpc.isShutdown()) {
      rest.close();
      stopGateway();
    }
  }

  /**
   * The gateway is up without its brokers: connections are accepted, every request is answered 503
   * over REST and {@code UNAVAILABLE} over gRPC.
   */
  public synchronized void answerUnavailable() {
    reachability.set(Reachability.State.ANSWERING_UNAVAILABLE);
    if (!grpc.isShutdown()) {
      // Job streams opened before would go on receiving jobs: they end here, as with a gateway
      // that lost its brokers, and new calls are refused.
      stopGateway();
      grpc = serveGateway();
      return;
    }
    listen();
  }

  /** The cluster is back: requests are served again, on the same ports. */
  public synchronized void recover() {
    reachability.set(Reachability.State.REACHABLE);
    listen();
  }

  private void listen() {
    if (grpc.isShutdown()) {
      grpc = serveGateway();
      rest = RestFront.start(restPort, commands, reachability, version);
    }
  }

  private Server serveGateway() {
    try {
      return NettyServerBuilder.forAddress(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), grpcPort))
          .addService(gatewayService)
          .build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot serve the gateway on 127.0.0.1:" + grpcPort, e);
    }
  }

  private void stopGateway() {
    grpc.shutdownNow();
    try {
      grpc.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized void close() {
    try {
      if (!grpc.isShutdown()) {
        rest.close();
      }
    } finally {
      stopGateway();
      internals.stop();
    }
  }

  private static int freeLoopbackPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on 127.0.0.1", e);
    }
  }
}
