package dev.elasticagents.engine;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/** Bridges the gateway's unary answers, given to a stream observer, to futures. */
final class Observers {

  private Observers() {}

  /** An observer that completes the future with the one response, or with the error. */
  static <T> StreamObserver<T> completing(CompletableFuture<T> future) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        future.complete(value);
      }

      @Override
      public void onError(Throwable error) {
        future.completeExceptionally(error);
      }

      @Override
      public void onCompleted() {
        future.complete(null);
      }
    };
  }
}
