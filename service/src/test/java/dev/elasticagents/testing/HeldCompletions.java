package dev.elasticagents.testing;

import dev.elasticagents.testing.RestRecorder.CompletionRule;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * Job completions a {@link RestRecorder} holds on their way to the engine: the service has sent
 * them (so it recorded their decisions) and waits for the answer. The test then forwards them to
 * the engine or drops them (answered 503, to a client that may be dead by then). A request is never
 * held longer than {@link #LIMIT}; then it is dropped.
 */
public final class HeldCompletions {

  static final HeldCompletions NONE = new HeldCompletions(0, (jobKey, body) -> false);
  private static final Duration LIMIT = Duration.ofSeconds(60);

  private final int count;
  private final CompletionRule picks;
  private final Map<Long, String> held = new LinkedHashMap<>();
  private final CountDownLatch released = new CountDownLatch(1);
  private volatile boolean forward;

  HeldCompletions(int count, CompletionRule picks) {
    this.count = count;
    this.picks = picks;
  }

  /** Whether to hold this request: one of the first picked, or another attempt for a held job. */
  synchronized boolean takes(long jobKey, String body) {
    if (released.getCount() == 0) {
      return false;
    }
    if (held.containsKey(jobKey)) {
      return true;
    }
    if (held.size() < count && picks.lose(jobKey, body)) {
      held.put(jobKey, body);
      return true;
    }
    return false;
  }

  /** Blocks the proxy's thread until the test decides; true to forward the request. */
  boolean awaitForward() {
    try {
      return released.await(LIMIT.toMillis(), TimeUnit.MILLISECONDS) && forward;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Waits until {@code count} completions are held. */
  public HeldCompletions awaitAllHeld(Duration atMost) {
    Awaitility.await("%d completions held".formatted(count))
        .atMost(atMost)
        .until(() -> held().size() == count);
    return this;
  }

  /** The held completions' bodies by job key, in the order they arrived. */
  public synchronized Map<Long, String> held() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(held));
  }

  /** Sends the held requests on to the engine; nothing more is held. */
  public void forward() {
    forward = true;
    released.countDown();
  }

  /** Answers the held requests 503 without passing them on; nothing more is held. */
  public void drop() {
    forward = false;
    released.countDown();
  }
}
