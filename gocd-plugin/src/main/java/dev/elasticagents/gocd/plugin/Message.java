package dev.elasticagents.gocd.plugin;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The messages of GoCD's elastic agent extension v5 that this plugin answers. */
enum Message {
  GET_ICON("get-icon"),
  GET_CAPABILITIES("get-capabilities"),
  GET_CLUSTER_PROFILE_METADATA("get-cluster-profile-metadata"),
  GET_CLUSTER_PROFILE_VIEW("get-cluster-profile-view"),
  VALIDATE_CLUSTER_PROFILE("validate-cluster-profile"),
  GET_ELASTIC_AGENT_PROFILE_METADATA("get-elastic-agent-profile-metadata"),
  GET_ELASTIC_AGENT_PROFILE_VIEW("get-elastic-agent-profile-view"),
  VALIDATE_ELASTIC_AGENT_PROFILE("validate-elastic-agent-profile"),
  MIGRATE_CONFIG("migrate-config"),
  CREATE_AGENT("create-agent"),
  SHOULD_ASSIGN_WORK("should-assign-work"),
  JOB_COMPLETION("job-completion"),
  SERVER_PING("server-ping"),
  CLUSTER_PROFILE_CHANGED("cluster-profile-changed"),
  PLUGIN_STATUS_REPORT("plugin-status-report"),
  CLUSTER_STATUS_REPORT("cluster-status-report"),
  AGENT_STATUS_REPORT("agent-status-report");

  static final String PREFIX = "cd.go.elastic-agent.";

  private static final Map<String, Message> BY_REQUEST_NAME =
      Arrays.stream(values())
          .collect(Collectors.toUnmodifiableMap(Message::requestName, Function.identity()));

  private final String shortName;

  Message(String shortName) {
    this.shortName = shortName;
  }

  static Optional<Message> named(String requestName) {
    return Optional.ofNullable(requestName).map(BY_REQUEST_NAME::get);
  }

  /** The name without its prefix: the last segment of the service's endpoint path. */
  String shortName() {
    return shortName;
  }

  String requestName() {
    return PREFIX + shortName;
  }

  @Override
  public String toString() {
    return shortName;
  }
}
