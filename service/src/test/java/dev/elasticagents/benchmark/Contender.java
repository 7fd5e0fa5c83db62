package dev.elasticagents.benchmark;

import java.util.List;

/** The workers measured side by side, each a JVM of its own. */
enum Contender {
  SERVICE("service", "the service (create-agent, outcomes over REST)"),
  STARTER_DEFAULT("starter, defaults", "@JobWorker, auto-complete over gRPC, starter defaults"),
  STARTER_TUNED("starter, tuned", "@JobWorker, auto-complete over gRPC, tuned"),
  PLAIN_REST("plain gRPC/REST", "plain client worker, gRPC activation, async REST completion"),
  PLAIN_JDK_HTTP(
      "plain gRPC/JDK HTTP",
      "plain client worker, gRPC activation, async REST completion with the JDK's HTTP client");

  /** The starter's settings for blocking handlers, as Camunda's worker guidance gives them. */
  static final List<String> TUNED_STARTER =
      List.of(
          "--camunda.client.execution-threads=32",
          "--camunda.client.worker.defaults.max-jobs-active=32",
          "--camunda.client.worker.defaults.stream-enabled=true");

  final String label;
  final String description;

  Contender(String label, String description) {
    this.label = label;
    this.description = description;
  }

  boolean runsBursts() {
    return this != PLAIN_REST && this != PLAIN_JDK_HTTP;
  }
}
