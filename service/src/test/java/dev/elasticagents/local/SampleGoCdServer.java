package dev.elasticagents.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.thoughtworks.go.plugin.api.GoApplicationAccessor;
import com.thoughtworks.go.plugin.api.exceptions.UnhandledRequestTypeException;
import com.thoughtworks.go.plugin.api.request.DefaultGoPluginApiRequest;
import com.thoughtworks.go.plugin.api.request.GoApiRequest;
import com.thoughtworks.go.plugin.api.response.DefaultGoApiResponse;
import com.thoughtworks.go.plugin.api.response.GoApiResponse;
import com.thoughtworks.go.plugin.api.response.GoPluginApiResponse;
import dev.elasticagents.gocd.plugin.ElasticAgentPlugin;
import dev.elasticagents.gocd.testing.GoCdBody;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A GoCD server with the service's plugin loaded, as far as the local run needs one: it hands its
 * elastic-agent messages to the plugin, which sends them over HTTP to the running service, and it
 * answers the plugin's calls back (its agent list, disabling and deleting agents, server health).
 */
final class SampleGoCdServer {

  private static final Logger log = LoggerFactory.getLogger(SampleGoCdServer.class);

  private final ElasticAgentPlugin plugin = new ElasticAgentPlugin();
  private final String serviceUrl;
  private final String token;
  private final ObjectMapper json;
  private volatile List<String> knownAgents = List.of();
  private final Set<String> deleted = ConcurrentHashMap.newKeySet();

  SampleGoCdServer(String serviceUrl, String token, ObjectMapper json) {
    this.serviceUrl = serviceUrl;
    this.token = token;
    this.json = json;
    plugin.initializeGoApplicationAccessor(new Accessor());
  }

  /** Sends create-agent for a v5 request; the plugin adds nothing, GoCD's cluster profile does. */
  GoPluginApiResponse createAgent(Map<String, Object> request) {
    Map<String, Object> body = new HashMap<>(request);
    body.put("cluster_profile_properties", clusterProfile(request));
    return send("create-agent", body);
  }

  /** Sends job-completion for the job of a v5 request, with the request's profiles. */
  @SuppressWarnings("unchecked")
  GoPluginApiResponse jobCompleted(String agentId, Map<String, Object> request) {
    return send(
        "job-completion",
        GoCdBody.jobCompletion()
            .withElasticAgentId(agentId)
            .withJobIdentifier((Map<String, Object>) request.get("job_identifier"))
            .withElasticAgentProfile(
                (Map<String, Object>) request.get("elastic_agent_profile_properties"))
            .withClusterProfile(clusterProfile(request))
            .toMap());
  }

  /** Pings with the agents this server knows; the plugin fetches them through its accessor. */
  GoPluginApiResponse serverPing(List<String> known, Map<String, Object> anyRequest) {
    knownAgents = List.copyOf(known);
    return send(
        "server-ping",
        Map.of("all_cluster_profile_properties", List.of(clusterProfile(anyRequest))));
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> clusterProfile(Map<String, Object> request) {
    Map<String, Object> cluster =
        new HashMap<>((Map<String, Object>) request.get("cluster_profile_properties"));
    cluster.put("service_url", serviceUrl);
    cluster.put("service_token", token);
    // The local run's service listens on plain http on this host.
    cluster.put("allow_insecure_http", "true");
    return cluster;
  }

  private GoPluginApiResponse send(String message, Map<String, Object> body) {
    DefaultGoPluginApiRequest request =
        new DefaultGoPluginApiRequest("elastic-agent", "5.0", "cd.go.elastic-agent." + message);
    try {
      request.setRequestBody(json.writeValueAsString(body));
      GoPluginApiResponse response = plugin.handle(request);
      if (response.responseCode() != 200) {
        log.warn(
            "GoCD sample: the plugin answered {} with {}: {}",
            message,
            response.responseCode(),
            response.responseBody());
      }
      return response;
    } catch (JsonProcessingException | UnhandledRequestTypeException e) {
      throw new IllegalStateException("Cannot send " + message, e);
    }
  }

  /** The GoCD server's side of the plugin's calls. */
  private final class Accessor extends GoApplicationAccessor {
    @Override
    public GoApiResponse submit(GoApiRequest request) {
      return switch (request.api()) {
        case "go.processor.elastic-agents.list-agents" -> DefaultGoApiResponse.success(agentList());
        case "go.processor.elastic-agents.disable-agents" -> {
          log.info("GoCD sample: the plugin asks GoCD to disable {}", request.requestBody());
          yield DefaultGoApiResponse.success(null);
        }
        case "go.processor.elastic-agents.delete-agents" -> {
          log.info("GoCD sample: the plugin asks GoCD to delete {}", request.requestBody());
          knownAgents.stream().filter(request.requestBody()::contains).forEach(deleted::add);
          yield DefaultGoApiResponse.success(null);
        }
        case "go.processor.server-health.add-messages" -> {
          log.info("GoCD sample: server health is now {}", request.requestBody());
          yield DefaultGoApiResponse.success(null);
        }
        default -> DefaultGoApiResponse.error("not served by the sample GoCD server");
      };
    }

    private String agentList() {
      try {
        return json.writeValueAsString(
            knownAgents.stream()
                .filter(id -> !deleted.contains(id))
                .map(
                    id ->
                        Map.of(
                            "agent_id",
                            id,
                            "agent_state",
                            "Idle",
                            "build_state",
                            "Idle",
                            "config_state",
                            "Enabled"))
                .toList());
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
