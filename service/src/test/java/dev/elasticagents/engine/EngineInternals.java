package dev.elasticagents.engine;

import com.google.protobuf.GeneratedMessage;
import io.camunda.zeebe.gateway.protocol.GatewayGrpc;
import io.camunda.zeebe.process.test.api.ZeebeTestEngine;
import io.camunda.zeebe.protocol.impl.record.RecordMetadata;
import io.camunda.zeebe.protocol.impl.record.UnifiedRecordValue;
import io.camunda.zeebe.protocol.record.RecordType;
import io.camunda.zeebe.protocol.record.ValueType;
import io.camunda.zeebe.protocol.record.intent.Intent;
import io.camunda.zeebe.stream.impl.StreamProcessor;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;

/**
 * The parts of a zeebe-process-test 8.8 engine that its public API does not offer: the gateway
 * service (to serve it on a server of our own, bound to loopback), the stream processor (to start
 * the engine without its own server, which binds every interface), and the command writer and
 * request store (to write a command the in-process gateway cannot write, such as a job completion
 * with a result, and still receive the engine's answer or rejection).
 *
 * <p>Reached by reflection: the classes are package-private. A version without these fields fails
 * at start with a message naming this class.
 */
final class EngineInternals {

  private final ZeebeTestEngine engine;
  private final GatewayGrpc.GatewayImplBase gateway;
  private final Server ownServer;
  private final StreamProcessor streamProcessor;
  private final Object writer;
  private final Method writeWithKey;
  private final Method writeWithoutKey;
  private final Object requestStore;
  private final Method registerRequest;
  private final int partitionId;

  private EngineInternals(ZeebeTestEngine engine) throws ReflectiveOperationException {
    this.engine = engine;
    this.gateway = (GatewayGrpc.GatewayImplBase) read(engine, "gateway");
    this.ownServer = (Server) read(engine, "grpcServer");
    this.streamProcessor = (StreamProcessor) read(engine, "streamProcessor");
    this.writer = read(gateway, "writer");
    this.writeWithKey =
        accessible(
            writer
                .getClass()
                .getDeclaredMethod(
                    "writeCommandWithKey",
                    Long.class,
                    UnifiedRecordValue.class,
                    RecordMetadata.class));
    this.writeWithoutKey =
        accessible(
            writer
                .getClass()
                .getDeclaredMethod(
                    "writeCommandWithoutKey", UnifiedRecordValue.class, RecordMetadata.class));
    this.requestStore = read(gateway, "gatewayRequestStore");
    this.registerRequest =
        accessible(
            requestStore
                .getClass()
                .getDeclaredMethod("registerNewRequest", Class.class, StreamObserver.class));
    this.partitionId = (int) read(gateway, "partitionId");
  }

  static EngineInternals of(ZeebeTestEngine engine) {
    try {
      return new EngineInternals(engine);
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalStateException(
          "This zeebe-process-test version is not built as 8.8.21 is; update "
              + EngineInternals.class.getSimpleName(),
          e);
    }
  }

  /** The engine's gateway, as a gRPC service to serve. */
  GatewayGrpc.GatewayImplBase gateway() {
    return gateway;
  }

  /** Starts processing without starting the engine's own gRPC server. */
  void startProcessing() {
    streamProcessor.openAsync(false).join();
  }

  /**
   * Stops the engine. Its own server never started; stopping it first is what {@link
   * ZeebeTestEngine#stop()} does and costs nothing.
   */
  void stop() {
    ownServer.shutdownNow();
    engine.stop();
  }

  /**
   * Writes a command as the gateway would for a request of that type, and completes with the
   * engine's response, or exceptionally with the gRPC status of its rejection.
   *
   * @param key the key of the record the command is about, or {@code null} for none
   */
  <T extends GeneratedMessage> CompletableFuture<T> submit(
      Long key,
      ValueType valueType,
      Intent intent,
      UnifiedRecordValue value,
      Class<? extends GeneratedMessage> requestType) {
    CompletableFuture<T> response = new CompletableFuture<>();
    StreamObserver<T> observer = Observers.completing(response);
    try {
      long requestId = (Long) registerRequest.invoke(requestStore, requestType, observer);
      RecordMetadata metadata =
          new RecordMetadata()
              .recordType(RecordType.COMMAND)
              .requestStreamId(partitionId)
              .requestId(requestId)
              .valueType(valueType)
              .intent(intent);
      if (key == null) {
        writeWithoutKey.invoke(writer, value, metadata);
      } else {
        writeWithKey.invoke(writer, key, value, metadata);
      }
    } catch (InvocationTargetException e) {
      response.completeExceptionally(e.getCause());
    } catch (IllegalAccessException e) {
      response.completeExceptionally(e);
    }
    return response;
  }

  private static Object read(Object owner, String name) throws ReflectiveOperationException {
    Field field = owner.getClass().getDeclaredField(name);
    field.setAccessible(true);
    return field.get(owner);
  }

  private static Method accessible(Method method) {
    method.setAccessible(true);
    return method;
  }
}
