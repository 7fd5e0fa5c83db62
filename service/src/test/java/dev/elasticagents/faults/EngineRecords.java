package dev.elasticagents.faults;

import dev.elasticagents.engine.EmbeddedEngine;
import io.camunda.zeebe.protocol.record.Record;
import io.camunda.zeebe.protocol.record.RecordType;
import io.camunda.zeebe.protocol.record.intent.JobIntent;
import io.camunda.zeebe.protocol.record.intent.MessageIntent;
import io.camunda.zeebe.protocol.record.intent.ProcessInstanceIntent;
import io.camunda.zeebe.protocol.record.value.BpmnElementType;
import io.camunda.zeebe.protocol.record.value.JobRecordValue;
import io.camunda.zeebe.protocol.record.value.MessageRecordValue;
import io.camunda.zeebe.protocol.record.value.ProcessInstanceRecordValue;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the engine did, as it recorded it: the fault run's embedded engine lives in the test JVM for
 * the whole run and keeps every record of its log in memory ({@link EmbeddedEngine#records()}), so
 * these sets hold every event the engine committed, whatever the service went through or how long
 * the engine was unreachable.
 */
final class EngineRecords {

  private static final String LIFECYCLE = "elastic-agent-lifecycle";
  private static final String AGENT_LOST = "agent-lost";
  // The engine's record source appends to the list it hands out as it is read: one reader at a
  // time.
  private static final Object READING = new Object();

  /** Lifecycle process instances that started. */
  final Set<Long> lifecycles = new HashSet<>();

  /** Lifecycle process instances that ended (completed, or terminated). */
  final Set<Long> ended = new HashSet<>();

  /** Element instances whose job the engine completed: a decision under that key reached Zeebe. */
  final Set<Long> completedJobs = new HashSet<>();

  /**
   * Agents whose lifecycle was told they were lost ({@code agent-lost} published), with the reason.
   */
  final Map<String, String> lostAgents = new HashMap<>();

  private EngineRecords() {}

  /** Reads the events the engine recorded so far. */
  static EngineRecords read(EmbeddedEngine engine) {
    EngineRecords records = new EngineRecords();
    synchronized (READING) {
      engine.records().records().forEach(records::add);
    }
    return records;
  }

  private void add(Record<?> record) {
    if (record.getRecordType() != RecordType.EVENT) {
      return;
    }
    Object value = record.getValue();
    if (value instanceof ProcessInstanceRecordValue instance
        && instance.getBpmnElementType() == BpmnElementType.PROCESS
        && instance.getBpmnProcessId().equals(LIFECYCLE)) {
      if (record.getIntent() == ProcessInstanceIntent.ELEMENT_ACTIVATED) {
        lifecycles.add(instance.getProcessInstanceKey());
      } else if (record.getIntent() == ProcessInstanceIntent.ELEMENT_COMPLETED
          || record.getIntent() == ProcessInstanceIntent.ELEMENT_TERMINATED) {
        ended.add(instance.getProcessInstanceKey());
      }
    } else if (value instanceof JobRecordValue job && record.getIntent() == JobIntent.COMPLETED) {
      completedJobs.add(job.getElementInstanceKey());
    } else if (value instanceof MessageRecordValue message
        && record.getIntent() == MessageIntent.PUBLISHED
        && message.getName().equals(AGENT_LOST)) {
      lostAgents.put(
          message.getCorrelationKey(),
          String.valueOf(message.getVariables().get("agent_lost_reason")));
    }
  }

  /** Lifecycles that have not ended. */
  Set<Long> waiting() {
    Set<Long> waiting = new HashSet<>(lifecycles);
    waiting.removeAll(ended);
    return waiting;
  }
}
