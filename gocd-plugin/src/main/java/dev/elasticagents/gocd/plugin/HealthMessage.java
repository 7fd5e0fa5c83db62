package dev.elasticagents.gocd.plugin;

/** One entry of GoCD's server-health list: {@code type} is "warning" or "error". */
record HealthMessage(String type, String message) {

  static HealthMessage warning(String message) {
    return new HealthMessage("warning", message);
  }
}
