package dev.elasticagents.gocd.endpoint;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.elasticagents.agent.AgentId;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.WorkOffer;
import dev.elasticagents.agent.lifecycle.AgentLifecycle;
import dev.elasticagents.agent.registry.RegistryReports;
import dev.elasticagents.agent.registry.RegistryReports.AgentInstructions;
import dev.elasticagents.gocd.profile.ClusterProfileProperties;
import dev.elasticagents.runtime.JobVariables;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The GoCD server's elastic-agent messages (extension v5), forwarded by the service's GoCD plugin:
 * {@code POST /gocd/v5/<message>} with the message's JSON body. Create-agent and job-completion
 * become Zeebe messages; should-assign-work, server-ping and the status reports are answered from
 * the registry.
 */
@RestController
@RequestMapping(path = "/gocd/v5", produces = MediaType.APPLICATION_JSON_VALUE)
class GoCdEndpoint {

  private static final Logger log = LoggerFactory.getLogger(GoCdEndpoint.class);

  /** What a lifecycle reads of a create-agent body; nothing else of the body reaches Zeebe. */
  private static final List<String> CREATE_AGENT_VARIABLES =
      List.of(
          "auto_register_key",
          "environment",
          "elastic_agent_profile_properties",
          "cluster_profile_properties",
          "job_identifier");

  private final AgentLifecycle lifecycle;
  private final RegistryReports reports;
  private final GoCdMessages messages;
  private final StatusReports statusReports;
  private final GoCdEndpointProperties properties;
  private final ObjectMapper json;

  GoCdEndpoint(
      AgentLifecycle lifecycle,
      RegistryReports reports,
      GoCdMessages messages,
      StatusReports statusReports,
      GoCdEndpointProperties properties,
      ObjectMapper json) {
    this.lifecycle = lifecycle;
    this.reports = reports;
    this.messages = messages;
    this.statusReports = statusReports;
    this.properties = properties;
    this.json = json;
  }

  /**
   * Starts the lifecycle of the GoCD job, checked first by the rules its create-agent job applies.
   */
  @PostMapping("/create-agent")
  Map<String, Object> createAgent(HttpServletRequest request) {
    Map<String, Object> body = GoCdRequestBody.read(request, json);
    CreateAgentRequest parsed = CreateAgentRequest.from(JobVariables.of(body));
    JobIdentifier job =
        parsed
            .jobIdentifier()
            .orElseThrow(
                () ->
                    new GoCdRequestException(
                        HttpStatus.BAD_REQUEST, "'job_identifier' is required"));
    lifecycle.check(parsed);
    Map<String, Object> variables = new LinkedHashMap<>();
    CREATE_AGENT_VARIABLES.stream()
        .filter(body::containsKey)
        .forEach(name -> variables.put(name, body.get(name)));
    // The plugin's token is a cluster profile property; it is the service's secret, not the
    // lifecycle's.
    variables.put("cluster_profile_properties", withoutToken(parsed.clusterProfileProperties()));
    messages.agentRequested(job, variables);
    log.info("GoCD asks for an agent for {}", job.locator());
    return Map.of();
  }

  /** The bare JSON literal {@code true} or {@code false}, as GoCD expects. */
  @PostMapping("/should-assign-work")
  String shouldAssignWork(HttpServletRequest request) {
    WorkOffer offer = WorkOffer.from(JobVariables.of(GoCdRequestBody.read(request, json)));
    return String.valueOf(lifecycle.shouldAssignWork(offer));
  }

  /**
   * Publishes job-completed for the agent's lifecycle. An agent that should-assign-work gave the
   * job before any lifecycle adopted it has no lifecycle waiting: it is released here.
   */
  @PostMapping("/job-completion")
  Map<String, Object> jobCompletion(HttpServletRequest request) {
    Map<String, Object> body = GoCdRequestBody.read(request, json);
    JobVariables variables = JobVariables.of(body);
    String agentId = variables.requiredString("elastic_agent_id");
    if (!AgentId.isValid(agentId)) {
      variables.reject("'elastic_agent_id' must be the id of an agent of this service");
    }
    JobIdentifier job =
        variables.optionalObject("job_identifier").map(JobIdentifier::read).orElse(null);
    if (job == null) {
      variables.reject("'job_identifier' is required");
    }
    variables.throwIfInvalid();
    lifecycle
        .releaseUnadopted(agentId, job.jobId())
        .ifPresent(
            decision ->
                log.info(
                    "Released agent {} after {} without a lifecycle: {}",
                    agentId,
                    job.locator(),
                    decision.outcome()));
    messages.jobCompleted(agentId, job, jobIdentifierOf(body));
    log.info("GoCD reports {} completed on agent {}", job.locator(), agentId);
    return Map.of();
  }

  /**
   * Runs cleanup with GoCD's agent list, and answers which of those agents GoCD should disable
   * (being terminated) and delete (terminated or unknown), with the warnings for its server health.
   */
  @PostMapping("/server-ping")
  ServerPingAnswer serverPing(HttpServletRequest request) {
    JobVariables variables =
        JobVariables.of(GoCdRequestBody.read(request, json, GoCdRequestBody.MAX_AGENT_LIST_BYTES));
    List<Map<String, Object>> known =
        variables.objects("agents").stream()
            .map(
                agent ->
                    Map.<String, Object>of(
                        "agent_id", agent.requiredString("agent_id"),
                        "agent_state", agent.optionalString("agent_state").orElse(""),
                        "build_state", agent.optionalString("build_state").orElse(""),
                        "config_state", agent.optionalString("config_state").orElse("")))
            .toList();
    variables.throwIfInvalid();
    messages.serverPing(known);
    List<String> ours =
        known.stream()
            .map(agent -> (String) agent.get("agent_id"))
            .filter(AgentId::isValid)
            .toList();
    AgentInstructions instructions = reports.instructionsFor(ours);
    List<HealthMessage> health =
        reports.unresolvedDeclines(properties.declineWarningWindow()).stream()
            .map(
                decline ->
                    HealthMessage.warning(
                        "Elastic agents: %d request(s) declined in the last %d minutes and still waiting: %s"
                            .formatted(
                                decline.declines(),
                                properties.declineWarningWindow().toMinutes(),
                                decline.reason())))
            .toList();
    return new ServerPingAnswer(instructions.disable(), instructions.delete(), health);
  }

  @PostMapping("/plugin-status-report")
  StatusView pluginStatusReport(HttpServletRequest request) {
    GoCdRequestBody.read(request, json);
    return new StatusView(statusReports.plugin());
  }

  @PostMapping("/cluster-status-report")
  StatusView clusterStatusReport(HttpServletRequest request) {
    JobVariables variables = JobVariables.of(GoCdRequestBody.read(request, json));
    Map<String, String> cluster = variables.stringMap("cluster_profile_properties");
    variables.throwIfInvalid();
    return new StatusView(statusReports.cluster(cluster));
  }

  @PostMapping("/agent-status-report")
  StatusView agentStatusReport(HttpServletRequest request) {
    JobVariables variables = JobVariables.of(GoCdRequestBody.read(request, json));
    String agentId = variables.optionalString("elastic_agent_id").orElse("");
    JobIdentifier job =
        variables.optionalObject("job_identifier").map(JobIdentifier::read).orElse(null);
    if (!agentId.isEmpty() && !AgentId.isValid(agentId)) {
      variables.reject("'elastic_agent_id' must be the id of an agent of this service");
    }
    if (agentId.isEmpty() && job == null) {
      variables.reject("'elastic_agent_id' or 'job_identifier' is required");
    }
    variables.throwIfInvalid();
    return new StatusView(statusReports.agent(agentId, job));
  }

  @PostMapping("/cluster-profile-changed")
  Map<String, Object> clusterProfileChanged(HttpServletRequest request) {
    JobVariables variables = JobVariables.of(GoCdRequestBody.read(request, json));
    String status = variables.optionalString("status").orElse("");
    if (!List.of("created", "updated", "deleted").contains(status)) {
      variables.reject("'status' must be created, updated or deleted");
    }
    variables.throwIfInvalid();
    log.info("GoCD reports a cluster profile {}", status);
    return Map.of();
  }

  private static Map<String, String> withoutToken(Map<String, String> clusterProfileProperties) {
    Map<String, String> properties = new LinkedHashMap<>(clusterProfileProperties);
    properties.remove(ClusterProfileProperties.SERVICE_TOKEN);
    return properties;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> jobIdentifierOf(Map<String, Object> body) {
    return (Map<String, Object>) body.get("job_identifier");
  }

  /** The answer to server-ping. */
  record ServerPingAnswer(
      @JsonProperty("disable_agents") List<String> disable,
      @JsonProperty("delete_agents") List<String> delete,
      @JsonProperty("health_messages") List<HealthMessage> health) {}

  /** A GoCD server-health message. */
  record HealthMessage(String type, String message) {
    static HealthMessage warning(String message) {
      return new HealthMessage("warning", message);
    }
  }

  /** A status report's HTML. */
  record StatusView(String view) {}
}
