package dev.elasticagents.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the broker did, as it exported it: the broker of a fault run runs Zeebe's debug exporter,
 * which logs every record of its log stream as one JSON line. After a restart it exports the
 * stream again from the start (it never acknowledges a position), so the log holds every record
 * the broker committed, whatever was killed when.
 */
final class BrokerRecords {

  /** The broker settings that turn the exporter on. */
  static final Map<String, String> EXPORTER =
      Map.of(
          "ZEEBE_BROKER_EXPORTERS_RECORDS_CLASSNAME", "io.camunda.zeebe.broker.exporter.debug.DebugLogExporter",
          "ZEEBE_BROKER_EXPORTERS_RECORDS_ARGS_LOGLEVEL", "info");

  private static final String MARKER = "io.camunda.zeebe.broker.exporter.records - {";
  private static final String LIFECYCLE = "elastic-agent-lifecycle";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Lifecycle process instances that started. */
  final Set<Long> lifecycles = new HashSet<>();
  /** Lifecycle process instances that ended (completed, or terminated). */
  final Set<Long> ended = new HashSet<>();
  /** Element instances whose job the broker completed: a decision under that key reached Zeebe. */
  final Set<Long> completedJobs = new HashSet<>();

  private BrokerRecords() {}

  /** Reads the records the broker exported so far. */
  static BrokerRecords read(Path brokerLog) {
    BrokerRecords records = new BrokerRecords();
    try (Stream<String> lines = Files.lines(brokerLog)) {
      lines.filter(line -> line.contains(MARKER)).forEach(records::add);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the broker's records in " + brokerLog, e);
    }
    return records;
  }

  private void add(String line) {
    JsonNode record;
    try {
      record = JSON.readTree(line.substring(line.indexOf(MARKER) + MARKER.length() - 1));
    } catch (IOException e) {
      return; // the line the broker is writing right now
    }
    if (!record.path("recordType").asText().equals("EVENT")) {
      return;
    }
    JsonNode value = record.path("value");
    String intent = record.path("intent").asText();
    switch (record.path("valueType").asText()) {
      case "PROCESS_INSTANCE" -> {
        if (value.path("bpmnElementType").asText().equals("PROCESS")
            && value.path("bpmnProcessId").asText().equals(LIFECYCLE)) {
          long instance = value.path("processInstanceKey").asLong();
          switch (intent) {
            case "ELEMENT_ACTIVATED" -> lifecycles.add(instance);
            case "ELEMENT_COMPLETED", "ELEMENT_TERMINATED" -> ended.add(instance);
            default -> {}
          }
        }
      }
      case "JOB" -> {
        if (intent.equals("COMPLETED")) {
          completedJobs.add(value.path("elementInstanceKey").asLong());
        }
      }
      default -> {}
    }
  }

  /** Lifecycles that have not ended. */
  Set<Long> waiting() {
    Set<Long> waiting = new HashSet<>(lifecycles);
    waiting.removeAll(ended);
    return waiting;
  }
}
