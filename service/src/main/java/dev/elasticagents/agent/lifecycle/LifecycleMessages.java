package dev.elasticagents.agent.lifecycle;

import dev.elasticagents.agent.AgentProperties;
import dev.elasticagents.agent.LifecycleMessage;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.runtime.JobWorkerRegistrar;
import dev.elasticagents.runtime.MessagePublisher;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Publishes the messages the registry recorded for lifecycles ({@code agent-lost}, {@code
 * job-completed} of a repaired completion), oldest first, and forgets each once the engine took it.
 * A message is published at least once: after a crash, or from two replicas at once, it may be
 * published again under the same id, which the engine takes as one message.
 */
@Component
class LifecycleMessages implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(LifecycleMessages.class);
  private static final int BATCH = 100;

  private final AgentRegistry registry;
  private final MessagePublisher publisher;
  private final AgentProperties properties;
  private final MeterRegistry meters;
  private final Lock publishing = new ReentrantLock();
  private ScheduledExecutorService schedule;
  // Guarded by publishing: a failure is logged once, and so is the recovery.
  private boolean failing;

  LifecycleMessages(
      AgentRegistry registry,
      MessagePublisher publisher,
      AgentProperties properties,
      MeterRegistry meters) {
    this.registry = registry;
    this.publisher = publisher;
    this.properties = properties;
    this.meters = meters;
  }

  /**
   * Publishes what is recorded now, until all is published or one publication fails (the next round
   * retries it); returns how many were published.
   */
  public int publishRecorded() {
    publishing.lock();
    try {
      int published = 0;
      while (true) {
        List<LifecycleMessage> batch = registry.unpublishedMessages(BATCH);
        int sent = publish(batch);
        published += sent;
        if (sent < batch.size() || batch.size() < BATCH) {
          return published;
        }
      }
    } finally {
      publishing.unlock();
    }
  }

  /** Publishes in order until one fails; forgets those the engine took. */
  private int publish(List<LifecycleMessage> batch) {
    List<String> done = new ArrayList<>();
    try {
      for (LifecycleMessage message : batch) {
        publisher.publish(
            message.name(),
            message.correlationKey(),
            message.messageId(),
            properties.lifecycleMessageTimeToLive(),
            message.variables());
        done.add(message.messageId());
        meters.counter("elastic.agents.lifecycle.messages", "message", message.name()).increment();
      }
      if (failing && !done.isEmpty()) {
        log.info("Lifecycle messages are published again");
        failing = false;
      }
    } catch (RuntimeException e) {
      if (!failing) {
        log.warn(
            "Could not publish lifecycle messages; retrying every {}: {}",
            properties.lifecycleMessageInterval(),
            e.toString());
        failing = true;
      }
    } finally {
      if (!done.isEmpty()) {
        registry.messagesPublished(done);
      }
    }
    return done.size();
  }

  private void publishQuietly() {
    try {
      publishRecorded();
    } catch (RuntimeException e) {
      // The registry itself failed: its health shows it, and the next round tries again.
      log.debug("Lifecycle messages not read: {}", e.toString());
    }
  }

  @Override
  public synchronized void start() {
    schedule =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("lifecycle-messages").daemon().factory());
    long every = properties.lifecycleMessageInterval().toMillis();
    schedule.scheduleWithFixedDelay(this::publishQuietly, every, every, TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    if (schedule != null) {
      schedule.shutdownNow();
      schedule = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return schedule != null;
  }

  /** With the job workers: the messages come from their decisions. */
  @Override
  public int getPhase() {
    return JobWorkerRegistrar.PHASE;
  }
}
