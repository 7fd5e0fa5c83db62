package dev.elasticagents.benchmark;

import dev.elasticagents.engine.EmbeddedEngine;
import io.camunda.client.CamundaClient;
import io.camunda.zeebe.engine.Engine;
import io.camunda.zeebe.model.bpmn.Bpmn;
import io.camunda.zeebe.process.test.engine.EngineFactory;
import java.net.URI;
import java.util.Optional;

/**
 * The engine of one contender's turn: the embedded engine in the benchmark's JVM, the benchmark
 * process deployed, and the load generator's client on it. Each turn has one of its own, so no
 * contender runs on an engine holding the log of the turns before it (the engine keeps every record
 * in memory).
 */
final class BenchmarkEngine implements AutoCloseable {

  private final EmbeddedEngine engine;
  private final CamundaClient client;
  private final ClosedLoop loop;
  private final Burst burst;

  private BenchmarkEngine(EmbeddedEngine engine, CamundaClient client) {
    this.engine = engine;
    this.client = client;
    this.loop = new ClosedLoop(client, WorkerBenchmark.PROCESS);
    this.burst = new Burst(client, WorkerBenchmark.PROCESS);
  }

  /** Starts an engine on free loopback ports and deploys the benchmark process. */
  static BenchmarkEngine start() {
    EmbeddedEngine engine = EmbeddedEngine.start();
    CamundaClient client = null;
    try {
      client = engine.newClient();
      client
          .newDeployResourceCommand()
          .addProcessModel(
              Bpmn.createExecutableProcess(WorkerBenchmark.PROCESS)
                  .startEvent()
                  .serviceTask(
                      "work", task -> task.zeebeJobTypeExpression("job_type").zeebeJobRetries("3"))
                  .endEvent()
                  .done(),
              WorkerBenchmark.PROCESS + ".bpmn")
          .send()
          .join();
      return new BenchmarkEngine(engine, client);
    } catch (RuntimeException e) {
      if (client != null) {
        client.close();
      }
      engine.close();
      throw e;
    }
  }

  /** What the report names as the engine. */
  static String description() {
    return "zeebe-process-test "
        + version(EngineFactory.class)
        + " embedded engine (Zeebe engine "
        + version(Engine.class)
        + "): one partition, in memory, no back-pressure; its gRPC gateway and REST API "
        + "on 127.0.0.1 in the benchmark's JVM, a fresh engine for each contender's turn";
  }

  private static String version(Class<?> type) {
    return Optional.ofNullable(type.getPackage().getImplementationVersion()).orElse("8.8");
  }

  URI grpcAddress() {
    return engine.grpcAddress();
  }

  URI restAddress() {
    return engine.restAddress();
  }

  ClosedLoop loop() {
    return loop;
  }

  Burst burst() {
    return burst;
  }

  @Override
  public void close() {
    try {
      client.close();
    } finally {
      engine.close();
    }
  }
}
