package dev.elasticagents.zeebe;

import io.camunda.client.CamundaClient;
import io.camunda.zeebe.process.test.api.ZeebeTestEngine;
import io.camunda.zeebe.process.test.filters.RecordStream;
import io.camunda.zeebe.protocol.impl.encoding.MsgPackConverter;
import io.camunda.zeebe.protocol.impl.record.value.usertask.UserTaskRecord;
import io.camunda.zeebe.protocol.record.ValueType;
import io.camunda.zeebe.protocol.record.intent.UserTaskIntent;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The Camunda 8.8 engine of zeebe-process-test, in process and over gRPC only, completed for user
 * task listeners: its client sees listener jobs and sends listener results as with an 8.8 gateway
 * (see {@link ListenerGatewayInterceptor}), and tests can assign and complete user tasks, which
 * 8.8 offers over REST only.
 */
public final class InProcessEngine implements AutoCloseable {

  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);

  private final ZeebeTestEngine engine;
  private final EngineCommandLog log;
  private final CamundaClient client;

  public InProcessEngine(ZeebeTestEngine engine) {
    this.engine = engine;
    this.log = EngineCommandLog.of(engine);
    this.client =
        CamundaClient.newClientBuilder()
            .grpcAddress(URI.create("http://" + engine.getGatewayAddress()))
            .preferRestOverGrpc(false)
            .withInterceptors(new ListenerGatewayInterceptor(engine, log))
            .build();
  }

  /** A client of the engine, over gRPC. */
  public CamundaClient client() {
    return client;
  }

  /** What the engine recorded so far. */
  public RecordStream records() {
    return RecordStream.of(engine.getRecordStreamSource());
  }

  /** Assigns a user task, as {@code POST /v2/user-tasks/{key}/assignment} would. */
  public void assign(long userTaskKey, String assignee) {
    log.write(
        userTaskKey,
        ValueType.USER_TASK,
        UserTaskIntent.ASSIGN,
        new UserTaskRecord().setUserTaskKey(userTaskKey).setAssignee(assignee).setAction("assign"));
    awaitIdle();
  }

  /** Completes a user task, as {@code POST /v2/user-tasks/{key}/completion} would. */
  public void complete(long userTaskKey, Map<String, Object> variables) {
    log.write(
        userTaskKey,
        ValueType.USER_TASK,
        UserTaskIntent.COMPLETE,
        new UserTaskRecord()
            .setUserTaskKey(userTaskKey)
            .setAction("complete")
            .setVariables(new UnsafeBuffer(MsgPackConverter.convertToMsgPack(variables))));
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

  @Override
  public void close() {
    client.close();
  }
}
