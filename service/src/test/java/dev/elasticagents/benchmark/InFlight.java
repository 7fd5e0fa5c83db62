package dev.elasticagents.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the pieces of slow work running at once in a worker JVM and writes the peak to a file each
 * time it rises, so that the benchmark reads it from outside the JVM.
 */
final class InFlight {

  /** The system property naming the file the peak is written to. */
  static final String PEAK_FILE = "benchmark.peak-file";

  private final AtomicInteger running = new AtomicInteger();
  private final Path peakFile;
  private int peak;

  private InFlight(Path peakFile) {
    this.peakFile = peakFile;
  }

  /** The counter of this JVM, writing to the file {@link #PEAK_FILE} names. */
  static InFlight fromSystemProperty() {
    String file = System.getProperty(PEAK_FILE);
    if (file == null || file.isBlank()) {
      throw new IllegalStateException("Set -D" + PEAK_FILE + " to the file the peak goes to");
    }
    return new InFlight(Path.of(file));
  }

  /** Runs {@code work}, counted while it runs. */
  void run(Runnable work) {
    rise(running.incrementAndGet());
    try {
      work.run();
    } finally {
      running.decrementAndGet();
    }
  }

  private synchronized void rise(int now) {
    if (now <= peak) {
      return;
    }
    peak = now;
    try {
      Files.writeString(peakFile, String.valueOf(peak));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The peak a worker JVM wrote, 0 when it has run nothing slow yet. */
  static int readPeak(Path peakFile) {
    try {
      return Files.exists(peakFile) ? Integer.parseInt(Files.readString(peakFile).strip()) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sleeps as slow work does, keeping the interrupt. */
  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }
}
