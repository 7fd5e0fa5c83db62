package dev.elasticagents.testing;

import dev.elasticagents.engine.EmbeddedEngine;

/**
 * The one embedded engine of a test run: started by the first test that needs it, stopped when the
 * test JVM exits.
 */
public final class SharedEngine {

  private SharedEngine() {}

  /** The running engine, started on first use. */
  public static EmbeddedEngine get() {
    return Holder.ENGINE;
  }

  // Lazy, thread-safe initialisation by the class loader.
  private static final class Holder {
    private static final EmbeddedEngine ENGINE = startWithShutdownHook();

    private static EmbeddedEngine startWithShutdownHook() {
      long started = System.nanoTime();
      EmbeddedEngine engine = EmbeddedEngine.start();
      System.out.printf(
          "[engine] embedded engine ready in %d ms: gRPC %s, REST %s%n",
          (System.nanoTime() - started) / 1_000_000, engine.grpcAddress(), engine.restAddress());
      Runtime.getRuntime().addShutdownHook(new Thread(engine::close, "engine-shutdown"));
      return engine;
    }
  }
}
