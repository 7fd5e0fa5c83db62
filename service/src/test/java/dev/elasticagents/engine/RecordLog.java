package dev.elasticagents.engine;

import io.camunda.zeebe.process.test.api.RecordStreamSource;
import io.camunda.zeebe.protocol.record.Record;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's records, read by one thread at a time. zeebe-process-test hands out a live view of
 * the list it appends to on every read, so two readers at once (a test and the gateway completing a
 * listener job) could see it change under them; every read goes through here instead.
 */
final class RecordLog {

  private final RecordStreamSource source;

  RecordLog(RecordStreamSource source) {
    this.source = source;
  }

  /** Every record so far, as a list nobody else changes. */
  synchronized List<Record<?>> snapshot() {
    return List.copyOf(live());
  }

  /** The records from {@code from} on, read under the same lock as every other read. */
  synchronized List<Record<?>> since(int from) {
    List<Record<?>> all = live();
    return from >= all.size() ? List.of() : new ArrayList<>(all.subList(from, all.size()));
  }

  private List<Record<?>> live() {
    if (source.getRecords() instanceof List<Record<?>> list) {
      return list;
    }
    throw new IllegalStateException("The engine's records are no longer a list; update RecordLog");
  }
}
