package dev.elasticagents.zeebe;

/**
 * The one broker of a test run: started by the first test that needs it, stopped when the test
 * JVM exits (and by the broker's watchdog if the JVM is killed).
 */
public final class SharedZeebeBroker {

  private SharedZeebeBroker() {}

  /** The running broker, started on first use. */
  public static LocalZeebeBroker get() {
    return Holder.BROKER;
  }

  // Lazy, thread-safe initialisation by the class loader.
  private static final class Holder {
    private static final LocalZeebeBroker BROKER = startWithShutdownHook();

    private static LocalZeebeBroker startWithShutdownHook() {
      long started = System.nanoTime();
      System.out.println("[zeebe] starting a local broker for this test run");
      LocalZeebeBroker broker = LocalZeebeBroker.startFromBuild();
      System.out.printf(
          "[zeebe] broker ready in %d s: gRPC %s, REST %s, log %s%n",
          (System.nanoTime() - started) / 1_000_000_000,
          broker.grpcAddress(),
          broker.restAddress(),
          broker.logFile());
      Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "zeebe-broker-shutdown"));
      return broker;
    }
  }
}
